import { z } from 'zod';

/**
 * Fields every conversation block carries.
 *
 * `id` is stable: it is derived from the agent's own transcript (a message id, a tool-use id,
 * a subagent id), so a block built live from the stream and the same block parsed from the stored
 * transcript after a reload have the same id. Clients can key UI state on it.
 */
export const blockBaseShape = {
  /** Stable id, derived from the transcript (never random). */
  id: z.string().min(1),
  /** When the block started, ISO 8601. */
  timestamp: z.string().min(1),
};
