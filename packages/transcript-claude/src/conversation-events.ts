import type { AgentEvent, ConversationBlock } from '@agent-runtime/core';
import type { ConversationChange } from './conversation-builder.js';

/**
 * Turns a conversation builder's changes into block events for one conversation. Blocks the
 * stream already started (from partial messages) get `block:update` instead of a second start;
 * finished blocks get `block:start` (if needed) then `block:complete`.
 */
export class ConversationEvents {
  private readonly started = new Set<string>();

  constructor(readonly conversationId: string) {}

  isStarted(blockId: string): boolean {
    return this.started.has(blockId);
  }

  start(block: ConversationBlock, out: AgentEvent[]): void {
    this.started.add(block.id);
    out.push({ type: 'block:start', conversationId: this.conversationId, block: { ...block } as ConversationBlock });
  }

  delta(blockId: string, delta: string, out: AgentEvent[]): void {
    if (delta && this.started.has(blockId)) out.push({ type: 'block:delta', conversationId: this.conversationId, blockId, delta });
  }

  apply(change: ConversationChange, out: AgentEvent[]): void {
    const conversationId = this.conversationId;
    if (change.kind === 'start') {
      if (!this.started.has(change.block.id)) return this.start(change.block, out);
      const { id: blockId, ...updates } = change.block;
      out.push({ type: 'block:update', conversationId, blockId, updates: updates as Partial<ConversationBlock> });
    } else if (change.kind === 'update') {
      if (this.started.has(change.blockId)) out.push({ type: 'block:update', conversationId, blockId: change.blockId, updates: change.updates });
    } else {
      if (!this.started.has(change.block.id)) this.start(change.block, out);
      out.push({ type: 'block:complete', conversationId, blockId: change.block.id, block: { ...change.block } as ConversationBlock });
    }
  }
}
