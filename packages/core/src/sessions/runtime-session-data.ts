import { z } from 'zod';
import { pendingRequestSchema } from '../approvals/approval-request.js';
import { conversationBlockSchema } from '../blocks/conversation-block.js';
import { toolStatusSchema } from '../blocks/tool-status.js';
import { sessionListDataSchema } from './session-list-data.js';
import { workspaceFileSchema } from './workspace-file.js';

/** A subagent conversation as the runtime holds it. */
export const runtimeSubagentSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  status: toolStatusSchema.optional(),
  /** The parent's tool-use id that started it. */
  toolUseId: z.string().optional(),
  blocks: z.array(conversationBlockSchema),
});

/** A session as `GET /sessions/:sessionId` returns it: record, blocks, files, subagents. */
export const runtimeSessionDataSchema = sessionListDataSchema.extend({
  /** The main conversation. */
  blocks: z.array(conversationBlockSchema),
  workspaceFiles: z.array(workspaceFileSchema),
  subagents: z.array(runtimeSubagentSchema),
  /** Sequence number of the last event sent for this session (for WebSocket replay). */
  lastEventSeq: z.number().int().nonnegative().optional(),
  /** Permission requests and questions waiting for an answer, oldest first. */
  pendingRequests: z.array(pendingRequestSchema).optional(),
});

export type RuntimeSubagent = z.infer<typeof runtimeSubagentSchema>;
export type RuntimeSessionData = z.infer<typeof runtimeSessionDataSchema>;
