import type { ConversationBlock } from './conversation-block.js';

/** A block event without its session id: what `BlockList.apply` folds. */
export type BlockListEvent =
  | { type: 'block:start'; block: ConversationBlock }
  | { type: 'block:delta'; blockId: string; delta: string }
  | { type: 'block:update'; blockId: string; updates: Partial<ConversationBlock> | Record<string, unknown> }
  | { type: 'block:complete'; blockId: string; block: ConversationBlock };

/**
 * The blocks of one conversation in order, built by folding block events: `start` appends (or
 * replaces a block with the same id in place), `delta` appends text to `content`, `update`
 * merges properties, `complete` replaces the block with its final state.
 * Folding the events of a turn gives the blocks the agent's transcript parses to.
 */
export class BlockList {
  private readonly byId = new Map<string, ConversationBlock>();

  constructor(blocks: readonly ConversationBlock[] = []) {
    for (const block of blocks) this.byId.set(block.id, block);
  }

  get size(): number {
    return this.byId.size;
  }

  get(blockId: string): ConversationBlock | undefined {
    return this.byId.get(blockId);
  }

  /** Applies one event; returns the block's new state (undefined for an unknown block id). */
  apply(event: BlockListEvent): ConversationBlock | undefined {
    switch (event.type) {
      case 'block:start':
      case 'block:complete':
        this.byId.set(event.block.id, event.block);
        return event.block;
      case 'block:delta': {
        const block = this.byId.get(event.blockId);
        if (!block || !('content' in block) || typeof block.content !== 'string') return block;
        const next = { ...block, content: block.content + event.delta } as ConversationBlock;
        this.byId.set(event.blockId, next);
        return next;
      }
      case 'block:update': {
        const block = this.byId.get(event.blockId);
        if (!block) return undefined;
        const next = { ...block, ...event.updates, id: block.id, type: block.type } as ConversationBlock;
        this.byId.set(event.blockId, next);
        return next;
      }
    }
  }

  toArray(): ConversationBlock[] {
    return [...this.byId.values()];
  }
}

/** Folds a list of block events into the resulting blocks. */
export function foldBlockEvents(events: Iterable<BlockListEvent>, initial: readonly ConversationBlock[] = []): ConversationBlock[] {
  const list = new BlockList(initial);
  for (const event of events) list.apply(event);
  return list.toArray();
}
