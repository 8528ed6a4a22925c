import { AgentRuntimeError, answerPermissionRequestSchema, answerQuestionRequestSchema, ERROR_CODES, sendMessageRequestSchema, workspacePathSchema } from '@agent-runtime/core';
import { z } from 'zod';

/** A command for a session, as it travels from the node that received it to the owner. */
export const sessionCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), sessionId: z.string().min(1), request: sendMessageRequestSchema }),
  z.object({ type: z.literal('interrupt'), sessionId: z.string().min(1) }),
  z.object({ type: z.literal('terminate'), sessionId: z.string().min(1) }),
  // An answer to a pending approval: the waiting turn runs on the owner, so the answer goes there.
  z.object({ type: z.literal('answerPermission'), sessionId: z.string().min(1), requestId: z.string().min(1), answer: answerPermissionRequestSchema, by: z.string() }),
  z.object({ type: z.literal('answerQuestion'), sessionId: z.string().min(1), requestId: z.string().min(1), answer: answerQuestionRequestSchema, by: z.string() }),
  // Uploads travel through storage (they outgrow a NATS message): the owner reads these paths from there.
  z.object({ type: z.literal('filesStored'), sessionId: z.string().min(1), paths: z.array(workspacePathSchema).min(1).max(1_000) }),
  z.object({ type: z.literal('readFile'), sessionId: z.string().min(1), path: workspacePathSchema }),
]);
export type SessionCommand = z.infer<typeof sessionCommandSchema>;

/** The owner's reply: its handler's result, or a coded error. */
export const sessionCommandReplySchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ code: z.enum(ERROR_CODES), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
  }),
]);
export type SessionCommandReply = z.infer<typeof sessionCommandReplySchema>;

export function replyFromError(error: unknown): SessionCommandReply {
  if (AgentRuntimeError.isInstance(error)) return { ok: false, error: error.toJSON() };
  return { ok: false, error: { code: 'INTERNAL_ERROR', message: 'The owning node failed to handle the command.' } };
}

export function errorFromReply(reply: Extract<SessionCommandReply, { ok: false }>): AgentRuntimeError {
  return new AgentRuntimeError(reply.error.code, reply.error.message, reply.error.details ? { details: reply.error.details } : {});
}
