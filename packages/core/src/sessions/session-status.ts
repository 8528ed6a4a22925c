import { z } from 'zod';

/**
 * - `pending`: recorded, nothing started yet
 * - `building-sandbox`: a sandbox is being created or restored
 * - `active`: a sandbox is up (a turn may be running)
 * - `inactive`: no sandbox (idle timeout, restart); the next message resumes it
 * - `completed`: terminated by the user
 * - `failed`: could not be started or resumed
 */
export const sessionStatusSchema = z.enum([
  'pending',
  'building-sandbox',
  'active',
  'inactive',
  'completed',
  'failed',
]);

export type SessionStatus = z.infer<typeof sessionStatusSchema>;
