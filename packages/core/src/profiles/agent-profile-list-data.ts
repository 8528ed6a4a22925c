import { z } from 'zod';
import { agentArchitectureTypeSchema } from '../sessions/architecture.js';

/** What a profile list shows. */
export const agentProfileListDataSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  /** Architectures the profile is meant for; any when absent. */
  architectures: z.array(agentArchitectureTypeSchema).optional(),
});

export type AgentProfileListData = z.infer<typeof agentProfileListDataSchema>;
