import { z } from 'zod';
import { blockBaseShape } from './block-base.js';
import { toolStatusSchema } from './tool-status.js';

/** The agent calling a tool. Its `status` moves through `session:block:update` events. */
export const toolUseBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('tool_use'),
  /** Tool name as the agent knows it (`Write`, `Bash`, `write_file`, `mcp__github__search`...). */
  toolName: z.string().min(1),
  /** The agent's id for this call; the matching `tool_result` carries the same id. */
  toolUseId: z.string().min(1),
  /** Tool input as the model produced it. */
  input: z.record(z.string(), z.unknown()),
  status: toolStatusSchema,
  /** Human-friendly name, e.g. `Write file`. */
  displayName: z.string().optional(),
  /** One-line summary of the call, e.g. the file path or the command. */
  description: z.string().optional(),
});

export type ToolUseBlock = z.infer<typeof toolUseBlockSchema>;
