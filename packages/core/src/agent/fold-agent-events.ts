import { BlockList } from '../blocks/block-list.js';
import { MAIN_CONVERSATION_ID, type ConversationBlock } from '../blocks/conversation-block.js';
import { AgentRuntimeError } from '../errors/agent-runtime-error.js';
import type { AgentEvent } from './agent-events.js';

/** Options of `foldAgentEvents`. */
export interface FoldAgentEventsOptions {
  /**
   * Throw `INVALID_INPUT` for a `delta`, `update` or `complete` naming a block its conversation
   * has not started, or a `delta` for a block without text `content`, instead of skipping it as
   * clients do. For checking the shape of an agent's stream in tests. Default `false`.
   */
  strict?: boolean;
}

/**
 * Folds the block events of agent turns per conversation, with `BlockList` (as the session engine
 * and the client do): `main` first (always present), then each subagent id in order of its first
 * event. Events other than block events are skipped.
 */
export function foldAgentEvents(events: Iterable<AgentEvent>, options: FoldAgentEventsOptions = {}): Map<string, ConversationBlock[]> {
  const lists = new Map<string, BlockList>([[MAIN_CONVERSATION_ID, new BlockList()]]);
  for (const event of events) {
    if (event.type !== 'block:start' && event.type !== 'block:delta' && event.type !== 'block:update' && event.type !== 'block:complete') continue;
    let list = lists.get(event.conversationId);
    if (!list) lists.set(event.conversationId, (list = new BlockList()));
    if (options.strict && event.type !== 'block:start') {
      const block = list.get(event.blockId);
      const textless = event.type === 'block:delta' && !(block && 'content' in block && typeof block.content === 'string');
      if (!block || textless) {
        throw new AgentRuntimeError('INVALID_INPUT', `${event.type} for ${block ? 'a block without text content' : 'an unknown block'}: ${event.blockId}`, {
          details: { conversationId: event.conversationId, blockId: event.blockId },
        });
      }
    }
    list.apply(event);
  }
  return new Map([...lists].map(([conversationId, list]) => [conversationId, list.toArray()]));
}
