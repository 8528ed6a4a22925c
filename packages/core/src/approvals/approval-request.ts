import { z } from 'zod';

/** One choice of an agent question. */
export const questionOptionSchema = z.object({
  label: z.string(),
  description: z.string().optional(),
});

/** A question the agent asks (Claude's AskUserQuestion: one to four per call). */
export const agentQuestionSchema = z.object({
  question: z.string(),
  /** A short label for the question (Claude's `header`). */
  header: z.string().optional(),
  options: z.array(questionOptionSchema),
  multiSelect: z.boolean().optional(),
});

/** Who or what answered a request: a principal id, `policy`, `timeout` or `runtime`. */
export const approvalAnsweredBySchema = z.string().min(1);

/** A tool call waiting for a person's decision. */
export const permissionRequestSchema = z.object({
  kind: z.literal('permission'),
  sessionId: z.string(),
  /** `main` or a subagent id. */
  conversationId: z.string(),
  requestId: z.string(),
  toolName: z.string(),
  toolUseId: z.string(),
  input: z.unknown(),
  /** Epoch milliseconds. */
  createdAt: z.number(),
  /** Epoch milliseconds: answered `deny` by the runtime when nobody answers before. */
  expiresAt: z.number(),
});

/** An agent question waiting for a person's answer. */
export const questionRequestSchema = z.object({
  kind: z.literal('question'),
  sessionId: z.string(),
  conversationId: z.string(),
  requestId: z.string(),
  toolUseId: z.string(),
  questions: z.array(agentQuestionSchema),
  createdAt: z.number(),
  expiresAt: z.number(),
});

/** A pending request of either kind, as `GET /sessions/:sessionId` lists them. */
export const pendingRequestSchema = z.discriminatedUnion('kind', [permissionRequestSchema, questionRequestSchema]);

export const permissionDecisionSchema = z.enum(['allow', 'deny']);

/** How a permission request was answered. */
export const permissionResolutionSchema = z.object({
  decision: permissionDecisionSchema,
  by: approvalAnsweredBySchema,
  /** Shown to the agent with a denial (or a person's note with an approval). */
  message: z.string().optional(),
  /** Allow or deny this tool pattern for the rest of the session without asking again. */
  remember: z.boolean().optional(),
  /** Epoch milliseconds. */
  resolvedAt: z.number(),
});

/** How a question was answered: `answers` maps each question's text to the chosen label(s), or it was declined. */
export const questionResolutionSchema = z.object({
  decision: z.enum(['answered', 'declined']),
  by: approvalAnsweredBySchema,
  answers: z.record(z.string(), z.string()).optional(),
  message: z.string().optional(),
  resolvedAt: z.number(),
});

export type QuestionOption = z.infer<typeof questionOptionSchema>;
export type AgentQuestion = z.infer<typeof agentQuestionSchema>;
export type PermissionRequest = z.infer<typeof permissionRequestSchema>;
export type QuestionRequest = z.infer<typeof questionRequestSchema>;
export type PendingRequest = z.infer<typeof pendingRequestSchema>;
export type PermissionDecision = z.infer<typeof permissionDecisionSchema>;
export type PermissionResolution = z.infer<typeof permissionResolutionSchema>;
export type QuestionResolution = z.infer<typeof questionResolutionSchema>;
