import { z } from 'zod';
import { permissionRequestSchema, permissionResolutionSchema, questionRequestSchema, questionResolutionSchema } from './approval-request.js';

/** `session:permission:request`: a tool call waits for a person's decision (policy `ask`). */
export const permissionRequestEventSchema = permissionRequestSchema;

/** `session:permission:resolved`: the request was answered (by a person, the policy, a timeout or the runtime). */
export const permissionResolvedEventSchema = permissionResolutionSchema.extend({
  sessionId: z.string(),
  requestId: z.string(),
});

/** `session:question:request`: the agent asks a person a question with options. */
export const questionRequestEventSchema = questionRequestSchema;

/** `session:question:resolved`: the question was answered or declined. */
export const questionResolvedEventSchema = questionResolutionSchema.extend({
  sessionId: z.string(),
  requestId: z.string(),
});

export type PermissionRequestEvent = z.infer<typeof permissionRequestEventSchema>;
export type PermissionResolvedEvent = z.infer<typeof permissionResolvedEventSchema>;
export type QuestionRequestEvent = z.infer<typeof questionRequestEventSchema>;
export type QuestionResolvedEvent = z.infer<typeof questionResolvedEventSchema>;
