import {
  AgentRuntimeError,
  nodeLostError,
  runtimeRestartedError,
  unsupportedOperationError,
  type AgentArchitecture,
  type AnyServerEvent,
  type Logger,
  type QueuedTurn,
  type Sandbox,
} from '@agent-runtime/core';
import type { SessionEventBus } from './event-bus.js';
import type { SessionConversations } from './session-conversations.js';
import { restoreCompleted, type SessionSandbox } from './session-sandbox.js';
import type { SessionState } from './session-state.js';
import type { TranscriptSync } from './transcript-sync.js';
import type { TurnQueue } from './turn-queue.js';
import type { WorkspaceMirror } from './workspace-mirror.js';

/** How far back recovery looks for a turn end stored just before a crash. */
const RECENT_EVENTS_CHECKED = 200;

export interface SessionRecoveryDependencies {
  state: SessionState;
  architecture: AgentArchitecture;
  bus: SessionEventBus;
  turns: TurnQueue;
  sandbox: SessionSandbox;
  transcripts: TranscriptSync;
  conversations: SessionConversations;
  mirror: WorkspaceMirror;
  logger: Logger;
  /** Load blocks and files from storage once. */
  hydrate(): Promise<void>;
  /** Publish a turn's end and wait until it is stored, as the session's owner. */
  storeTurnEnd(turnId: string, publishEnd: () => void): Promise<void>;
}

/**
 * A session after its runtime restarted or its node was lost: turns cut short ended once, and
 * what a sandbox left by the earlier run holds saved from it, or the sandbox kept (reattached).
 */
export class SessionRecovery {
  constructor(private readonly deps: SessionRecoveryDependencies) {}

  private get id(): string {
    return this.deps.state.id;
  }

  /** After a runtime restart: the event log's latest seq, and no sandbox any more. */
  async markRestarted(): Promise<void> {
    const { state } = this.deps;
    await this.deps.bus.open(this.id);
    if (state.record.status === 'active' || state.record.status === 'building-sandbox') {
      await state.setStatus('inactive');
    }
  }

  /**
   * After a restart: end the turn that was running when the runtime died (one `error` turn end,
   * RUNTIME_RESTARTED, or NODE_LOST when `lost` names another node that died), then run the
   * messages still queued, in order.
   */
  async recoverTurns(lost?: { nodeId: string | undefined }): Promise<void> {
    const { state } = this.deps;
    if (state.terminated) return;
    await this.deps.turns.recover(async (turn: QueuedTurn) => {
      const turnId = turn.turnId ?? `restarted-${turn.position}`;
      if (await this.turnEndLogged(turnId)) return; // it ended; the crash came before the queue recorded it
      // In a cluster, the turn was cut by the death of another node (NODE_LOST), not by our own restart.
      const error = lost ? nodeLostError(turnId, lost.nodeId) : runtimeRestartedError(turnId);
      const cause = lost ? 'the loss of its node' : 'a runtime restart';
      this.deps.logger.warn({ turnId, position: turn.position, code: error.code, lostNodeId: lost?.nodeId }, `ending a turn cut short by ${cause}`);
      await this.deps.storeTurnEnd(turnId, () => {
        state.publish({ event: 'session:turn:end', data: { sessionId: this.id, turnId, outcome: 'error', error: { code: error.code, message: error.message } } });
        state.publish({ event: 'error', data: { sessionId: this.id, code: error.code, message: error.message } });
      });
    });
  }

  /**
   * True when the event log already holds the turn's end. The queue records a turn as done just
   * after its end was stored, so a crash in between leaves it `running` with its end among the
   * session's last events. When the recent events hold neither the turn's start nor its end (its
   * `complete` failed and later turns ran), the whole log is read: this is the recovery path only,
   * and a second end for a turn that ended long ago must never be published.
   */
  private async turnEndLogged(turnId: string): Promise<boolean> {
    const { bus } = this.deps;
    const latest = bus.latestSeq(this.id);
    const ended = (events: readonly AnyServerEvent[]) => events.some((event) => event.event === 'session:turn:end' && event.data.turnId === turnId);
    const started = (events: readonly AnyServerEvent[]) => events.some((event) => event.event === 'session:turn:start' && event.data.turnId === turnId);
    const recent = await bus.replay(this.id, Math.max(0, latest - RECENT_EVENTS_CHECKED));
    if (recent.kind === 'events') {
      if (ended(recent.events)) return true;
      if (started(recent.events)) return false;
    }
    let whole = await bus.replay(this.id, 0);
    if (whole.kind === 'resync') whole = await bus.replay(this.id, whole.oldestSeq - 1); // the oldest events were trimmed
    return whole.kind === 'events' && ended(whole.events);
  }

  /** Save what a sandbox left by an earlier run still holds (transcripts, files). */
  async recoverFrom(sandbox: Sandbox): Promise<void> {
    await this.deps.hydrate();
    if (!(await restoreCompleted(sandbox))) {
      // Its restore never finished, so no agent ran in it: storage already holds everything,
      // and a file missing from it is a file not yet restored, not a deletion.
      this.deps.logger.warn({ sandboxId: sandbox.id }, 'a sandbox left by an earlier run never finished its restore; nothing taken from it');
      return;
    }
    await this.takeStateFrom(sandbox);
  }

  /**
   * Cluster failover: keep using the sandbox a lost node left running (Modal) instead of a new
   * one. The processes that node left in it (an agent CLI nobody reads) are stopped first, so no
   * second agent works in the workspace; then its transcripts and files are stored and become the
   * session's state, with no restore over them. The next turn runs in it and resumes from its
   * transcript. Rejects when it cannot be reattached — it never finished its restore, its
   * provider cannot stop leftover processes, or a call failed — with nothing taken over.
   */
  async reattach(sandbox: Sandbox): Promise<void> {
    await this.deps.hydrate();
    if (!sandbox.stopLeftoverProcesses) throw unsupportedOperationError(sandbox.provider, 'stopLeftoverProcesses');
    if (!(await restoreCompleted(sandbox))) {
      throw new AgentRuntimeError('SANDBOX_ERROR', 'The sandbox never finished its restore; it is not reattached.', { details: { sandboxId: sandbox.id } });
    }
    await sandbox.stopLeftoverProcesses();
    await this.deps.sandbox.reattach(sandbox, (live) => this.takeStateFrom(live));
  }

  /** The sandbox's transcripts and files stored, and its conversations become the session's blocks. */
  private async takeStateFrom(sandbox: Sandbox): Promise<void> {
    const transcripts = await this.deps.transcripts.sync(sandbox);
    if (transcripts.main !== undefined || transcripts.subagents.length > 0) {
      this.deps.conversations.load(this.deps.architecture.parseTranscripts(transcripts));
    }
    await this.deps.mirror.scan(sandbox);
  }
}
