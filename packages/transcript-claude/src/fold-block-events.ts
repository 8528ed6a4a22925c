import type { AgentEvent, ConversationBlock } from '@agent-runtime/core';

/** Blocks per conversation id (`main` first), as folding block events leaves them. */
export type FoldedConversations = Map<string, ConversationBlock[]>;

/**
 * Apply block events to block lists, the way a client or the session engine keeps its state:
 * `block:start` appends (or replaces a block with the same id), `block:delta` appends to
 * `content`, `block:update` merges fields, `block:complete` replaces the block. Other events are
 * ignored. Pure; pass `state` to continue folding into earlier results.
 */
export function foldBlockEvents(events: Iterable<AgentEvent>, state: FoldedConversations = new Map()): FoldedConversations {
  const positions = new Map<string, Map<string, number>>();
  for (const [conversationId, blocks] of state) positions.set(conversationId, new Map(blocks.map((block, index) => [block.id, index])));
  if (!state.has('main')) {
    state.set('main', []);
    positions.set('main', new Map());
  }
  const listFor = (conversationId: string) => {
    let blocks = state.get(conversationId);
    if (!blocks) state.set(conversationId, (blocks = []));
    let index = positions.get(conversationId);
    if (!index) positions.set(conversationId, (index = new Map()));
    return { blocks, index };
  };
  for (const event of events) {
    if (event.type === 'block:start' || event.type === 'block:complete') {
      const { blocks, index } = listFor(event.conversationId);
      const position = index.get(event.block.id);
      if (position === undefined) {
        index.set(event.block.id, blocks.length);
        blocks.push({ ...event.block });
      } else {
        blocks[position] = { ...event.block };
      }
    } else if (event.type === 'block:delta' || event.type === 'block:update') {
      const { blocks, index } = listFor(event.conversationId);
      const position = index.get(event.blockId);
      const block = position === undefined ? undefined : blocks[position];
      if (!block || position === undefined) continue;
      if (event.type === 'block:update') blocks[position] = { ...block, ...event.updates } as ConversationBlock;
      else if ('content' in block && typeof block.content === 'string') blocks[position] = { ...block, content: block.content + event.delta } as ConversationBlock;
    }
  }
  return state;
}
