import { z } from 'zod';
import { blockBaseShape } from './block-base.js';

export const systemBlockSubtypeSchema = z.enum([
  'session_start',
  'session_end',
  'error',
  'status',
  'hook_response',
  'auth_status',
]);

/** Something the runtime or the agent reports that is not part of the dialogue itself. */
export const systemBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('system'),
  subtype: systemBlockSubtypeSchema,
  message: z.string(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

export type SystemBlockSubtype = z.infer<typeof systemBlockSubtypeSchema>;
export type SystemBlock = z.infer<typeof systemBlockSchema>;
