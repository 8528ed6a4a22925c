import { z } from 'zod';
import { permissionDecisionSchema, type PermissionResolution, type QuestionResolution } from './approval-request.js';

/** `POST /sessions/:sessionId/permissions/:requestId` body (also the socket's `session:permission:respond`). */
export const answerPermissionRequestSchema = z
  .object({
    decision: permissionDecisionSchema,
    /** Apply the decision to this tool pattern for the rest of the session. */
    remember: z.boolean().optional(),
    /** Shown to the agent (with a denial: why). */
    message: z.string().max(4000).optional(),
  })
  .strict();

/** `POST /sessions/:sessionId/questions/:requestId` body (also the socket's `session:question:respond`). */
export const answerQuestionRequestSchema = z
  .object({
    /** Question text -> the chosen option's label (labels joined with ", " for multi-select), or free text. */
    answers: z.record(z.string().max(4000), z.string().max(4000)).optional(),
    /** Decline to answer: the agent goes on without one. */
    decline: z.boolean().optional(),
    message: z.string().max(4000).optional(),
  })
  .strict()
  .refine((body) => (body.answers !== undefined) !== (body.decline === true), 'send either answers or decline: true');

export type AnswerPermissionRequest = z.infer<typeof answerPermissionRequestSchema>;
export type AnswerQuestionRequest = z.infer<typeof answerQuestionRequestSchema>;

/**
 * The answer to either route. A second answer to a resolved request changes nothing: it gets the
 * first resolution back with `alreadyResolved: true`.
 */
export interface AnswerRequestResponse<Resolution = PermissionResolution | QuestionResolution> {
  success: true;
  sessionId: string;
  requestId: string;
  resolution: Resolution;
  alreadyResolved: boolean;
}
