import type { ApprovalRequestStore, Logger, SandboxProvider, TurnQueueStore } from '@agent-runtime/core';
import { errorInfo } from './error-info.js';
import type { SessionRegistry } from './session-registry.js';

export interface StartRecoveryDependencies {
  sessions: SessionRegistry;
  sandboxProvider: SandboxProvider;
  turnQueueStore: TurnQueueStore;
  approvalRequestStore: ApprovalRequestStore;
  logger: Logger;
}

/**
 * What a single node does at start, once every stored session is loaded: save from and reap the
 * sandboxes a crash left, end the turns it cut short, run the messages still queued, and present
 * the requests still pending. (In cluster mode the coordinator does this per session it takes.)
 */
export class StartRecovery {
  constructor(private readonly deps: StartRecoveryDependencies) {}

  async run(): Promise<void> {
    await this.reapOrphanSandboxes();
    await this.recoverQueuedTurns();
    await this.recoverApprovals();
  }

  /** Sessions whose queue holds entries not done (a crash or a shutdown left them). */
  private async recoverQueuedTurns(): Promise<void> {
    let sessionIds: string[];
    try {
      sessionIds = await this.deps.turnQueueStore.sessionsWithPending();
    } catch (error) {
      this.deps.logger.error({ error: errorInfo(error) }, 'could not read the turn queue; queued messages run when their session gets a new one');
      return;
    }
    for (const sessionId of sessionIds) {
      const session = this.deps.sessions.get(sessionId);
      if (!session) continue;
      await session.recoverTurns().catch((error) =>
        this.deps.logger.error({ sessionId, error: errorInfo(error) }, 'recovering the turn queue of a session failed'),
      );
    }
  }

  /** Sessions with requests still pending after a restart: present them again, arm their timeouts. */
  private async recoverApprovals(): Promise<void> {
    let sessionIds: string[];
    try {
      sessionIds = await this.deps.approvalRequestStore.sessionsWithPending();
    } catch (error) {
      this.deps.logger.error({ error: errorInfo(error) }, 'could not read the pending approval requests');
      return;
    }
    for (const sessionId of sessionIds) {
      await this.deps.sessions.get(sessionId)?.recoverApprovals().catch((error) =>
        this.deps.logger.error({ sessionId, error: errorInfo(error) }, 'recovering the approval requests of a session failed'),
      );
    }
  }

  /**
   * Sandboxes left by an earlier run (crash, kill) hold the newest transcripts and files: save
   * what they have into their session, then terminate them.
   */
  private async reapOrphanSandboxes(): Promise<void> {
    const provider = this.deps.sandboxProvider;
    if (!provider.list || !provider.attach) return;
    let orphans;
    try {
      orphans = await provider.list({});
    } catch (error) {
      this.deps.logger.warn({ error: errorInfo(error) }, 'could not list sandboxes left by an earlier run');
      return;
    }
    for (const orphan of orphans) {
      try {
        const sandbox = await provider.attach(orphan.id);
        const session = orphan.sessionId === undefined ? undefined : this.deps.sessions.get(orphan.sessionId);
        await session?.recoverFrom(sandbox);
        await sandbox.terminate();
        this.deps.logger.info({ sandboxId: orphan.id, sessionId: orphan.sessionId }, 'recovered and reaped a sandbox left by an earlier run');
      } catch (error) {
        this.deps.logger.warn({ sandboxId: orphan.id, error: errorInfo(error) }, 'could not reap a sandbox left by an earlier run');
      }
    }
  }
}
