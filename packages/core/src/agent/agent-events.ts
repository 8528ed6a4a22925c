import type { TokenUsage } from '../blocks/token-usage.js';
import type { ToolStatus } from '../blocks/tool-status.js';
import type { BlockCompleteEvent, BlockDeltaEvent, BlockStartEvent, BlockUpdateEvent } from '../protocol/block-events.js';
import type { TurnOutcome } from '../protocol/session-events.js';

type WithoutSession<T> = Omit<T, 'sessionId'>;

/**
 * What an agent turn yields. Block events carry stable block ids; the session engine adds the
 * session id and forwards them to clients.
 */
export type AgentEvent =
  | ({ type: 'block:start' } & WithoutSession<BlockStartEvent>)
  | ({ type: 'block:delta' } & WithoutSession<BlockDeltaEvent>)
  | ({ type: 'block:update' } & WithoutSession<BlockUpdateEvent>)
  | ({ type: 'block:complete' } & WithoutSession<BlockCompleteEvent>)
  | { type: 'subagent:discovered'; subagent: { id: string; name?: string; toolUseId?: string } }
  | { type: 'subagent:completed'; subagentId: string; status: ToolStatus }
  | { type: 'metadata'; usage?: TokenUsage; costUsd?: number; model?: string }
  /** The agent's transcript changed on disk: a good moment to sync it. */
  | { type: 'transcript:changed'; subagentId?: string }
  /** The last event of every turn. */
  | { type: 'turn:end'; outcome: TurnOutcome; error?: { code: string; message: string }; usage?: TokenUsage };
