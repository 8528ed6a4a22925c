import { z } from 'zod';

/**
 * Lifecycle of a tool call or a subagent run:
 * `pending` (the model is still streaming its input) -> `running` -> `success` | `error`.
 */
export const toolStatusSchema = z.enum(['pending', 'running', 'success', 'error']);

export type ToolStatus = z.infer<typeof toolStatusSchema>;
