import {
  hasErrorCode,
  type AgentArchitecture,
  type AgentEvent,
  type AnyServerEvent,
  type Logger,
  type QueuedTurn,
  type TurnOutcome,
} from '@agent-runtime/core';
import { ABORT_GRACE_MS, untilAbandoned } from './abandon-after-abort.js';
import type { SessionApprovals } from './approvals/session-approvals.js';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';
import type { SessionEventBus } from './event-bus.js';
import { mergeMetadata } from './metadata.js';
import type { SecretRedactor } from './secret-redactor.js';
import type { SessionConversations } from './session-conversations.js';
import type { SessionSandbox } from './session-sandbox.js';
import type { SessionState } from './session-state.js';
import type { SessionSync } from './session-sync.js';
import type { TurnContext, TurnEnd } from './turn-queue.js';

export interface SessionTurnRunnerDependencies {
  state: SessionState;
  architecture: AgentArchitecture;
  sandbox: SessionSandbox;
  conversations: SessionConversations;
  approvals: SessionApprovals;
  sync: SessionSync;
  bus: SessionEventBus;
  redactor: SecretRedactor;
  logger: Logger;
  clock: Clock;
  /** A turn started: the session is not idle. */
  cancelIdle(): void;
  /** Run `work` only while this node owns the session (cluster mode: fenced by its lease; one node: at once). */
  whileOwner<T>(sessionId: string, work: () => Promise<T>): Promise<T>;
}

/**
 * One turn, as the turn queue drives it: its start, the agent's events turned into blocks and
 * bus events, and its end (synced, stored once, as the session's owner).
 */
export class SessionTurnRunner {
  constructor(private readonly deps: SessionTurnRunnerDependencies) {}

  private get id(): string {
    return this.deps.state.id;
  }

  begin(turn: QueuedTurn, turnId: string): void {
    this.deps.cancelIdle();
    const { clientMessageId } = turn;
    this.deps.state.publish({ event: 'session:turn:start', data: { sessionId: this.id, turnId, ...(clientMessageId ? { clientMessageId } : {}) } });
  }

  async execute(turn: QueuedTurn, { turnId, signal, pauseTimeout }: TurnContext): Promise<TurnEnd | undefined> {
    const { sync } = this.deps;
    const sandbox = await this.deps.sandbox.ensure();
    const profile = await this.deps.state.loadProfile();
    if (signal.aborted) return { type: 'turn:end', outcome: 'interrupted' };
    sync.start();
    let end: TurnEnd | undefined;
    try {
      const approvals = profile.toolPolicy ? this.deps.approvals.forTurn(profile.toolPolicy, signal, pauseTimeout) : undefined;
      const agentEvents = this.deps.architecture.runTurn({ sessionId: this.id, sandbox, profile, message: turn.request.content, turnId, signal, ...(approvals ? { approvals } : {}) });
      const events = untilAbandoned(agentEvents, signal, this.deps.clock, () =>
        this.deps.logger.warn({ turnId, graceMs: ABORT_GRACE_MS }, 'the agent did not end its turn after the abort; the turn ends without it'),
      );
      for await (const event of events) {
        if (event.type === 'turn:end') end ??= event;
        else this.handleAgentEvent(event);
      }
    } finally {
      sync.stop();
    }
    return end;
  }

  async finish(turnId: string, end: TurnEnd, durationMs: number): Promise<void> {
    const { state } = this.deps;
    let outcome: TurnOutcome = end.outcome;
    let error = end.error;
    const sandbox = this.deps.sandbox.current;
    if (sandbox) {
      if (await sandbox.isRunning().catch(() => false)) {
        await this.deps.sync.now(sandbox).catch((syncError) => this.deps.logger.error({ error: errorInfo(syncError) }, 'sync at turn end failed'));
      } else {
        this.deps.logger.warn({ turnId }, 'sandbox died during the turn');
        await this.deps.sandbox.stop(state.terminated ? 'completed' : 'inactive');
        if (outcome === 'completed') outcome = 'error';
        error ??= { code: 'SANDBOX_TERMINATED', message: 'The sandbox stopped during the turn.' };
      }
    }
    state.touch();
    await state.persistRecord({ lastActivity: state.record.lastActivity, metadata: state.record.metadata });
    const usage = end.usage;
    await this.storeTurnEnd(turnId, () => {
      state.publish({
        event: 'session:turn:end',
        data: { sessionId: this.id, turnId, outcome, ...(error ? { error } : {}), ...(usage ? { usage } : {}), durationMs },
      });
      if (error && outcome !== 'interrupted') {
        state.publish({ event: 'error', data: { sessionId: this.id, code: error.code, message: error.message } });
      }
    });
  }

  /**
   * Publish a turn's end and wait until it is stored, as the session's owner: a node that lost the
   * session meanwhile publishes nothing (its successor ends the turn with `NODE_LOST`).
   */
  async storeTurnEnd(turnId: string, publishEnd: () => void): Promise<void> {
    try {
      await this.deps.whileOwner(this.id, async () => {
        publishEnd();
        await this.deps.bus.flushed(this.id);
      });
    } catch (error) {
      if (!hasErrorCode(error, 'LEASE_LOST')) throw error;
      this.deps.logger.warn({ turnId }, 'this node lost the session before the turn ended; the node that took it ends the turn');
    }
  }

  private handleAgentEvent(agentEvent: Exclude<AgentEvent, TurnEnd>): void {
    const { state, conversations } = this.deps;
    const event = this.deps.redactor.value(agentEvent);
    switch (event.type) {
      case 'block:start':
      case 'block:delta':
      case 'block:update':
      case 'block:complete': {
        const { type, ...payload } = event;
        conversations.list(event.conversationId).apply(event);
        state.publish({ event: `session:${type}`, data: { sessionId: this.id, ...payload } } as AnyServerEvent);
        return;
      }
      case 'subagent:discovered': {
        const subagent = conversations.subagent(event.subagent.id);
        if (event.subagent.name !== undefined) subagent.name = event.subagent.name;
        if (event.subagent.toolUseId !== undefined) subagent.toolUseId = event.subagent.toolUseId;
        subagent.status = 'running';
        state.publish({ event: 'session:subagent:discovered', data: { sessionId: this.id, subagent: event.subagent } });
        return;
      }
      case 'subagent:completed':
        conversations.subagent(event.subagentId).status = event.status;
        state.publish({ event: 'session:subagent:completed', data: { sessionId: this.id, subagentId: event.subagentId, status: event.status } });
        return;
      case 'metadata': {
        const { metadata, update } = mergeMetadata(state.record.metadata, event);
        state.record = { ...state.record, metadata };
        state.publish({ event: 'session:metadata:update', data: { sessionId: this.id, metadata: update } });
        return;
      }
      case 'transcript:changed':
        this.deps.sync.transcriptChanged();
        return;
    }
  }
}
