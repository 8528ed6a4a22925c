import {
  sessionNotFoundError,
  unsupportedArchitectureError,
  type ApprovalRequestStore,
  type LoggedSessionEvent,
  type Logger,
  type PersistenceAdapter,
  type Sandbox,
  type SandboxInfo,
  type SandboxProvider,
  type SessionListData,
  type TurnQueueStore,
} from '@agent-runtime/core';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';
import type { SessionEventBus } from './event-bus.js';
import { ownerFileAnswer } from './owner-workspace.js';
import type { CoordinatedEngine, SessionCommand, SessionCoordinator } from './session-coordinator.js';
import { recordOf, type SessionRegistry } from './session-registry.js';

export interface CoordinatedSessionsDependencies {
  sessions: SessionRegistry;
  persistence: PersistenceAdapter;
  sandboxProvider: SandboxProvider;
  events: SessionEventBus;
  turnQueueStore: TurnQueueStore;
  approvalRequestStore: ApprovalRequestStore;
  clock: Clock;
  logger: Logger;
  coordinator?: SessionCoordinator;
}

/**
 * What a cluster coordinator asks of this node (`CoordinatedEngine`): run commands for the
 * sessions it owns, take sessions over, hand them back, and show what other nodes run.
 */
export class CoordinatedSessions implements CoordinatedEngine {
  constructor(private readonly deps: CoordinatedSessionsDependencies) {}

  async runLocally(command: SessionCommand): Promise<unknown> {
    const session = this.deps.sessions.require(command.sessionId);
    switch (command.type) {
      case 'message':
        return session.sendMessage(command.request);
      case 'interrupt':
        return session.interrupt();
      case 'terminate':
        await session.terminate();
        return null;
      case 'answerPermission':
        return session.answerPermission(command.requestId, command.answer, command.by);
      case 'answerQuestion':
        return session.answerQuestion(command.requestId, command.answer, command.by);
      case 'filesStored':
        return { applied: await session.applyStoredFiles(command.paths) };
      case 'readFile':
        return ownerFileAnswer(session, command.path);
    }
  }

  async adopt(sessionId: string, options: { orphanSandbox?: Sandbox; liveSandbox?: Sandbox; lostNodeId?: string } = {}): Promise<void> {
    const { sessions, logger } = this.deps;
    const saved = await this.deps.persistence.loadSession(sessionId);
    const current = sessions.get(sessionId);
    const record = saved ? recordOf(saved) : current?.record;
    if (!record) throw sessionNotFoundError(sessionId);
    const session = sessions.make(record);
    if (!session) throw unsupportedArchitectureError(record.type, sessions.architectureTypes());
    sessions.set(sessionId, session);
    await session.markRestarted();
    let orphan = options.orphanSandbox;
    if (options.liveSandbox) {
      // The lost node's sandbox still runs: keep using it. If that fails, save from it and end it as before.
      const reattached = await session.reattach(options.liveSandbox).then(
        () => true,
        (error: unknown) => {
          logger.warn({ sessionId, sandboxId: options.liveSandbox!.id, error: errorInfo(error) }, 'reattaching to the sandbox of a lost node failed; the session gets a new one');
          return false;
        },
      );
      if (!reattached) orphan ??= options.liveSandbox;
    }
    if (orphan) {
      await session.recoverFrom(orphan).catch((error) =>
        logger.warn({ sessionId, error: errorInfo(error) }, 'saving from a sandbox left by an earlier run failed'),
      );
      await orphan.terminate().catch(() => undefined);
    }
    await session.recoverTurns({ nodeId: options.lostNodeId });
    // Requests the lost node was waiting on: presented again here, their timeouts armed (as after a restart).
    await session.recoverApprovals().catch((error) => logger.error({ sessionId, error: errorInfo(error) }, 'recovering the approval requests of a session failed'));
  }

  async sessionsWithPendingWork(): Promise<string[]> {
    const [turns, requests] = await Promise.all([this.deps.turnQueueStore.sessionsWithPending(), this.deps.approvalRequestStore.sessionsWithPending()]);
    return [...new Set([...turns, ...requests])];
  }

  async release(sessionId: string, graceMs: number): Promise<void> {
    const session = this.deps.sessions.get(sessionId);
    if (!session) return;
    await session.drain(graceMs);
    this.deps.sessions.showOnly(sessionId);
  }

  async abandon(sessionId: string): Promise<void> {
    const session = this.deps.sessions.get(sessionId);
    if (!session) return;
    await session.shutdown().catch((error) => this.deps.logger.warn({ sessionId, error: errorInfo(error) }, 'stopping a session whose lease was lost failed'));
    this.deps.sessions.showOnly(sessionId);
  }

  showStoredEvent(logged: LoggedSessionEvent): void {
    const { sessions, events } = this.deps;
    events.deliverStored(logged);
    if (this.deps.coordinator?.owns(logged.sessionId)) return;
    const session = sessions.get(logged.sessionId);
    if (!session) return;
    const { event } = logged;
    if (event.event === 'session:status') {
      session.showRecord({ ...session.record, status: event.data.status, lastActivity: this.deps.clock.now() });
      sessions.announce(false);
    } else if (event.event === 'session:turn:end') {
      sessions.showOnly(logged.sessionId); // blocks are read again from storage on the next getSession
    }
  }

  showRecords(records: readonly SessionListData[]): void {
    const { sessions } = this.deps;
    let changed = false;
    for (const record of records) {
      if (this.deps.coordinator?.owns(record.sessionId)) continue;
      const session = sessions.get(record.sessionId);
      if (session) {
        session.showRecord(record);
        changed = true;
        continue;
      }
      const shown = sessions.make(record);
      if (!shown) continue;
      sessions.set(record.sessionId, shown);
      void this.deps.events.open(record.sessionId).catch(() => undefined);
      changed = true;
    }
    if (changed) sessions.announce(false);
  }

  sessionIds(): string[] {
    return this.deps.sessions.ids();
  }

  async openLogs(): Promise<void> {
    const ids = this.sessionIds();
    for (let index = 0; index < ids.length; index += 16) {
      await Promise.all(ids.slice(index, index + 16).map((sessionId) => this.deps.events.open(sessionId).catch((error) =>
        this.deps.logger.warn({ sessionId, error: errorInfo(error) }, 'reading the latest seq of a session failed'),
      )));
    }
  }

  async listSandboxes(labels: Record<string, string>): Promise<SandboxInfo[]> {
    const provider = this.deps.sandboxProvider;
    if (!provider.list || !provider.attach) return [];
    return provider.list(labels);
  }

  async attachSandbox(sandboxId: string): Promise<Sandbox | undefined> {
    return this.deps.sandboxProvider.attach?.(sandboxId);
  }
}
