import { z } from 'zod';
import { conversationBlockSchema } from '../blocks/conversation-block.js';

const conversationShape = {
  sessionId: z.string(),
  /** `'main'` or a subagent id. */
  conversationId: z.string(),
};

/** A new block (message, tool use, thinking...) started. */
export const blockStartEventSchema = z.object({ ...conversationShape, block: conversationBlockSchema });

/** A text chunk for an `assistant_text` or `thinking` block: append it to `content`. */
export const blockDeltaEventSchema = z.object({ ...conversationShape, blockId: z.string(), delta: z.string() });

/** Some properties of a block changed (a tool's status, its final input...). */
export const blockUpdateEventSchema = z.object({
  ...conversationShape,
  blockId: z.string(),
  updates: z.record(z.string(), z.unknown()),
});

/** A block is final; `block` is its complete state. */
export const blockCompleteEventSchema = z.object({ ...conversationShape, blockId: z.string(), block: conversationBlockSchema });

export type BlockStartEvent = z.infer<typeof blockStartEventSchema>;
export type BlockDeltaEvent = z.infer<typeof blockDeltaEventSchema>;
export type BlockUpdateEvent = Omit<z.infer<typeof blockUpdateEventSchema>, 'updates'> & {
  updates: Partial<import('../blocks/conversation-block.js').ConversationBlock>;
};
export type BlockCompleteEvent = z.infer<typeof blockCompleteEventSchema>;
