import { z } from 'zod';
import { blockBaseShape } from './block-base.js';
import { toolStatusSchema } from './tool-status.js';

/**
 * A subagent the main agent started. Its own blocks stream under
 * `conversationId === subagentId`; this block sits in the parent conversation.
 */
export const subagentBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('subagent'),
  /** Stable subagent id: the same in the stream, in storage and after a reload. */
  subagentId: z.string().min(1),
  /** Subagent type or name, e.g. `code-reviewer`. */
  name: z.string().optional(),
  /** The task the parent gave it. */
  input: z.string(),
  status: toolStatusSchema,
  /** Its final answer, once done. */
  output: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  /** The parent's tool-use id that started it (Claude's `Agent`/`Task` call). */
  toolUseId: z.string().optional(),
});

export type SubagentBlock = z.infer<typeof subagentBlockSchema>;
