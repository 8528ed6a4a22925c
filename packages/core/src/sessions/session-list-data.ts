import { z } from 'zod';
import { agentArchitectureTypeSchema } from './architecture.js';
import { sessionStatusSchema } from './session-status.js';

/** The session record: what lists show and what `updateSessionRecord` patches. */
export const sessionListDataSchema = z.object({
  sessionId: z.string().min(1),
  /** The architecture the session runs. */
  type: agentArchitectureTypeSchema,
  /** Id of the `AgentProfile` it was created from. */
  agentProfileReference: z.string().min(1),
  name: z.string().optional(),
  status: sessionStatusSchema,
  /** Epoch milliseconds of the last message, block or file change. */
  lastActivity: z.number().optional(),
  /** Epoch milliseconds. */
  createdAt: z.number().optional(),
  /** Free-form data: token usage, cost, model, the application's own fields. */
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type SessionListData = z.infer<typeof sessionListDataSchema>;
