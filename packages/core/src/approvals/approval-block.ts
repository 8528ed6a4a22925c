import { z } from 'zod';
import { blockBaseShape } from '../blocks/block-base.js';
import { pendingRequestSchema, permissionResolutionSchema, questionResolutionSchema } from './approval-request.js';

/**
 * A permission request or an agent question in the conversation, where it happened (id
 * `approval:<requestId>`). `status` is `pending` until it is answered; then `resolution` says how.
 * The runtime keeps these beside the agent's transcript (they are not in it).
 */
export const approvalBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('approval'),
  request: pendingRequestSchema,
  status: z.enum(['pending', 'resolved']),
  resolution: z.union([permissionResolutionSchema, questionResolutionSchema]).optional(),
});

export type ApprovalBlock = z.infer<typeof approvalBlockSchema>;

/** The block id of a request. */
export const approvalBlockId = (requestId: string): string => `approval:${requestId}`;
