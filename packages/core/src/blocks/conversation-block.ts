import { z } from 'zod';
import { approvalBlockSchema } from '../approvals/approval-block.js';
import { assistantTextBlockSchema } from './assistant-text-block.js';
import { subagentBlockSchema } from './subagent-block.js';
import { systemBlockSchema } from './system-block.js';
import { thinkingBlockSchema } from './thinking-block.js';
import { toolResultBlockSchema } from './tool-result-block.js';
import { toolUseBlockSchema } from './tool-use-block.js';
import { userMessageBlockSchema } from './user-message-block.js';

/** Any block of a conversation, discriminated by `type`. */
export const conversationBlockSchema = z.discriminatedUnion('type', [
  userMessageBlockSchema,
  assistantTextBlockSchema,
  toolUseBlockSchema,
  toolResultBlockSchema,
  thinkingBlockSchema,
  systemBlockSchema,
  subagentBlockSchema,
  approvalBlockSchema,
]);

export type ConversationBlock = z.infer<typeof conversationBlockSchema>;
export type ConversationBlockType = ConversationBlock['type'];

/** `'main'` for the top-level conversation, otherwise a subagent id. */
export type ConversationId = 'main' | (string & {});
export const MAIN_CONVERSATION_ID = 'main' as const;
