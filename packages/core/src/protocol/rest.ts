import { z } from 'zod';
import { userMessageContentSchema } from '../blocks/user-message-block.js';
import { agentArchitectureTypeSchema } from '../sessions/architecture.js';
import { MAX_SESSION_NAME_LENGTH, metadataProblem } from '../sessions/metadata-bounds.js';

/** `POST /sessions/create` body. */
export const createSessionRequestSchema = z.object({
  agentProfileRef: z.string().min(1).max(200),
  architecture: agentArchitectureTypeSchema,
  name: z.string().max(MAX_SESSION_NAME_LENGTH).optional(),
  /** Free-form; at most `MAX_METADATA_DEPTH` levels deep and `MAX_METADATA_BYTES` as JSON. */
  metadata: z
    .record(z.string(), z.unknown())
    .superRefine((metadata, context) => {
      const problem = metadataProblem(metadata);
      if (problem) context.addIssue({ code: 'custom', message: `metadata is ${problem}` });
    })
    .optional(),
  /**
   * Fill the workspace from a git repository before the session starts (`file:` or `https:` URLs;
   * `ref` is a branch, tag or commit, default the remote's HEAD). A bad URL or ref is INVALID_INPUT.
   */
  git: z
    .object({
      url: z.string().min(1).max(2000),
      ref: z
        .string()
        .min(1)
        .max(200)
        .regex(/^(?!-)(?!.*\.\.)[\w./@+-]+$/, 'ref must be a branch, tag or commit name')
        .optional(),
    })
    .strict()
    .optional(),
  /**
   * Warm-up hint: a message is coming soon, so start the sandbox AND the agent process now (the
   * sandbox alone starts at create anyway). Additive; default false.
   */
  warm: z.boolean().optional(),
});

/** `POST /sessions/:sessionId/message` body. */
export const sendMessageRequestSchema = z.object({
  content: userMessageContentSchema.refine(
    (content) => (typeof content === 'string' ? content.length > 0 : content.length > 0),
    'content must not be empty',
  ),
  /** Idempotency key: a retried request with the same id is acknowledged again, never run twice. */
  clientMessageId: z.string().min(1).max(200).optional(),
});

export type CreateSessionRequest = z.infer<typeof createSessionRequestSchema>;
export type SendMessageRequest = z.infer<typeof sendMessageRequestSchema>;

export interface CreateSessionResponse {
  sessionId: string;
  status: import('../sessions/session-status.js').SessionStatus;
  createdAt: number;
}

export interface SendMessageResponse {
  success: true;
  sessionId: string;
  /** Whether the message runs now or waits for the running turn. */
  queued?: boolean;
  clientMessageId?: string;
}

export interface TerminateSessionResponse {
  success: true;
  sessionId: string;
}

/** The JSON body of every error response. */
export interface ErrorResponse {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
