import type { Logger, Sandbox } from '@agent-runtime/core';
import type { PostgresNodeRegistry, PostgresSessionOwnership } from '@agent-runtime/cluster';
import type { Clock, CoordinatedEngine } from '@agent-runtime/session-engine';
import type { ClusterSettings } from './cluster-settings.js';
import { canReattach, REATTACH_PROBE_TIMEOUT_MS } from './live-sandbox.js';
import { DEPLOYMENT_LABEL, NODE_LABEL } from './sandbox-labels.js';
import type { SessionLeases } from './session-leases.js';

export interface SessionTakeoverDependencies {
  settings: ClusterSettings;
  leases: SessionLeases;
  /** These are there once the coordinator started. */
  engine(): CoordinatedEngine;
  ownership(): PostgresSessionOwnership;
  registry(): PostgresNodeRegistry;
  /** True once the node is leaving: nothing more is taken. */
  isStopping(): boolean;
  clock: Clock;
  logger: Logger;
}

/**
 * Taking sessions no live node runs: one on demand (a command for it), those with pending work
 * (in the background, every tick), and those whose sandbox a crash left (orphan reaping at start).
 */
export class SessionTakeover {
  private readonly taking = new Map<string, Promise<boolean>>();
  private takingOver: Promise<void> | undefined;

  constructor(private readonly deps: SessionTakeoverDependencies) {}

  /** Until a take of the session in progress here has finished. */
  async settled(sessionId: string): Promise<void> {
    await this.taking.get(sessionId);
  }

  /** Until the background takeover in progress (if any) has finished. */
  async backgroundSettled(): Promise<void> {
    await this.takingOver;
  }

  /**
   * Acquire the session and load it here; false when another live node has it. One attempt at a
   * time per session. A sandbox the dead owner left running (`found`, else looked up once the
   * lease is ours — a command can reach this node before the takeover tick does) is reattached
   * when it answers (see `canReattach`), else saved from and terminated.
   */
  take(sessionId: string, found?: Sandbox): Promise<boolean> {
    const running = this.taking.get(sessionId);
    if (running) return running;
    const { settings, leases } = this.deps;
    const attempt = (async () => {
      if (this.deps.isStopping()) return false;
      const lease = await this.deps.ownership().acquire(sessionId, settings.nodeId, settings.leaseTtlMs);
      if (!lease) return false;
      leases.hold(lease);
      // Looked up and probed only once the lease is ours: nodes that lose the race never touch the sandbox.
      const leftSandbox = found ?? (await this.orphanSandboxOf(sessionId));
      const live = leftSandbox !== undefined && (await canReattach(leftSandbox, REATTACH_PROBE_TIMEOUT_MS, this.deps.clock));
      try {
        await this.deps.engine().adopt(sessionId, leftSandbox ? (live ? { liveSandbox: leftSandbox } : { orphanSandbox: leftSandbox }) : {});
      } catch (error) {
        leases.drop(sessionId);
        await this.deps.ownership().release(lease).catch(() => undefined);
        throw error;
      }
      this.deps.logger.info({ sessionId, fencingToken: lease.fencingToken, ...(leftSandbox ? { sandboxId: leftSandbox.id, reattached: live } : {}) }, 'cluster: took the session');
      return true;
    })().finally(() => this.taking.delete(sessionId));
    this.taking.set(sessionId, attempt);
    return attempt;
  }

  /** Take over in the background what nobody runs, one round at a time: never in the way of lease renewals. */
  takeOverInBackground(): void {
    this.takingOver ??= this.takeOver()
      .catch((error: unknown) => this.deps.logger.warn({ error: String(error) }, 'cluster: takeover failed'))
      .finally(() => {
        this.takingOver = undefined;
      });
  }

  /** Sessions with pending work (turns queued or cut by a dead node, requests waiting for a person) that no live node owns. */
  private async takeOver(): Promise<void> {
    if (this.deps.isStopping()) return;
    const pending = await this.deps.engine().sessionsWithPendingWork();
    for (const sessionId of pending) {
      if (this.deps.isStopping()) return;
      if (this.deps.leases.owns(sessionId)) continue;
      if (await this.deps.ownership().owner(sessionId)) continue;
      // The dead owner's sandbox is looked up by `take` once the lease is ours.
      await this.take(sessionId).catch((error: unknown) => {
        this.deps.logger.warn({ sessionId, error: String(error) }, 'cluster: taking over a session failed');
        return false;
      });
    }
  }

  /**
   * A sandbox of the dead owner that the provider can still reach (Modal: by the deployment and
   * session tags; a local sandbox died with its node): `take` reattaches to it, or saves its
   * newest transcripts and files before the session resumes in a new sandbox.
   */
  private async orphanSandboxOf(sessionId: string): Promise<Sandbox | undefined> {
    const { deploymentId } = this.deps.settings;
    try {
      const engine = this.deps.engine();
      const found = await engine.listSandboxes({ [DEPLOYMENT_LABEL]: deploymentId, sessionId });
      if (found.length === 0) return undefined;
      const live = new Set((await this.deps.registry().liveNodes(deploymentId)).map((node) => node.nodeId));
      const orphan = found.find((info) => info.running && !live.has(info.labels[NODE_LABEL] ?? ''));
      return orphan ? await engine.attachSandbox(orphan.id) : undefined;
    } catch (error) {
      this.deps.logger.warn({ sessionId, error: String(error) }, 'cluster: looking for the dead owner\'s sandbox failed');
      return undefined;
    }
  }

  /**
   * This deployment's sandboxes whose session no live node owns (a crash left them): their session
   * is taken with them (reattached, or saved from and reaped); one without a session is reaped.
   */
  async reapOrphans(): Promise<void> {
    const { deploymentId, nodeId } = this.deps.settings;
    const { logger } = this.deps;
    const engine = this.deps.engine();
    let orphans;
    try {
      orphans = await engine.listSandboxes({ [DEPLOYMENT_LABEL]: deploymentId });
    } catch (error) {
      logger.warn({ error: String(error) }, 'cluster: could not list sandboxes left by an earlier run');
      return;
    }
    if (orphans.length === 0) return;
    const live = new Set((await this.deps.registry().liveNodes(deploymentId)).map((node) => node.nodeId));
    for (const orphan of orphans) {
      const holder = orphan.labels[NODE_LABEL];
      if (holder !== undefined && holder !== nodeId && live.has(holder)) continue; // a live node's sandbox
      if (orphan.sessionId !== undefined && (await this.deps.ownership().owner(orphan.sessionId))) continue;
      try {
        const sandbox = await engine.attachSandbox(orphan.id);
        if (!sandbox) continue;
        if (orphan.sessionId === undefined) {
          await sandbox.terminate();
          logger.info({ sandboxId: orphan.id }, 'cluster: reaped a sandbox left by an earlier run');
          continue;
        }
        // Not taken: another node has the session now (and may be reattaching to this sandbox).
        const taken = await this.take(orphan.sessionId, sandbox);
        logger.info({ sandboxId: orphan.id, sessionId: orphan.sessionId, taken }, 'cluster: took over the session of a sandbox left by an earlier run');
      } catch (error) {
        logger.warn({ sandboxId: orphan.id, error: String(error) }, 'cluster: could not reap a sandbox left by an earlier run');
      }
    }
  }
}
