import type { AgentEvent, ConversationBlock } from '@agent-runtime/core';

/** Test helper: applies block events in order (start appends, delta appends text, update merges, complete replaces). */
export function foldBlockEvents(events: readonly AgentEvent[], initial: ConversationBlock[] = []): ConversationBlock[] {
  const blocks = initial.map((block) => structuredClone(block));
  const indexOf = (id: string) => blocks.findIndex((block) => block.id === id);
  for (const event of events) {
    if (event.type === 'block:start') {
      const index = indexOf(event.block.id);
      if (index === -1) blocks.push(structuredClone(event.block));
      else blocks[index] = structuredClone(event.block);
    } else if (event.type === 'block:delta') {
      const block = blocks[indexOf(event.blockId)];
      if (!block || !('content' in block) || typeof block.content !== 'string') throw new Error(`delta for unknown block ${event.blockId}`);
      block.content += event.delta;
    } else if (event.type === 'block:update') {
      const index = indexOf(event.blockId);
      if (index === -1) throw new Error(`update for unknown block ${event.blockId}`);
      blocks[index] = { ...blocks[index]!, ...event.updates } as ConversationBlock;
    } else if (event.type === 'block:complete') {
      const index = indexOf(event.blockId);
      if (index === -1) throw new Error(`complete for unknown block ${event.blockId}`);
      blocks[index] = structuredClone(event.block);
    }
  }
  return blocks;
}
