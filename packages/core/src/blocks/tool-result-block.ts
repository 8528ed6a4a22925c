import { z } from 'zod';
import { blockBaseShape } from './block-base.js';

/** What a tool returned to the agent. */
export const toolResultBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('tool_result'),
  /** Id of the `tool_use` this answers. */
  toolUseId: z.string().min(1),
  /** The output: usually text; structured content is kept as the agent recorded it. */
  output: z.unknown(),
  isError: z.boolean(),
  /** Time from the call to its result, when both timestamps are known. */
  durationMs: z.number().nonnegative().optional(),
});

export type ToolResultBlock = z.infer<typeof toolResultBlockSchema>;
