import { hasErrorCode, leaseLostError, ownerUnreachableError, type TurnQueueStore } from '@agent-runtime/core';
import type { SessionCommandRouter } from '@agent-runtime/cluster';
import type { Clock, CoordinatedEngine, SessionCommand } from '@agent-runtime/session-engine';
import type { ClusterSettings } from './cluster-settings.js';
import type { SessionLeases } from './session-leases.js';
import type { SessionTakeover } from './session-takeover.js';

export interface ClusterCommandRoutingDependencies {
  settings: ClusterSettings;
  leases: SessionLeases;
  takeover: SessionTakeover;
  /** These are there once the coordinator started (`requireEngine` throws before). */
  requireEngine(): CoordinatedEngine;
  router(): SessionCommandRouter;
  /** The shared turn queue (not fenced): a message for a session nobody runs is stored there while leaving. */
  turnQueueStore: TurnQueueStore;
  /** True once the node is leaving. */
  isStopping(): boolean;
  clock: Clock;
}

/** Commands for a session: run here when this node owns it, else sent to its owner, else the session is taken. */
export class ClusterCommandRouting {
  constructor(private readonly deps: ClusterCommandRoutingDependencies) {}

  async route(command: SessionCommand): Promise<unknown> {
    const { leases, takeover } = this.deps;
    const engine = this.deps.requireEngine();
    const { sessionId } = command;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await takeover.settled(sessionId);
      if (leases.owns(sessionId)) return engine.runLocally(command);
      let routed;
      try {
        routed = await this.deps.router().send(command);
      } catch (error) {
        if (hasErrorCode(error, 'LEASE_LOST')) continue; // it moved twice meanwhile: look again
        throw error;
      }
      if (routed.route !== 'unowned') return routed.result;
      if (command.type === 'interrupt') return { interrupted: false }; // nobody runs it: no turn to stop
      // Nobody runs it: the stored files are all there is (the next sandbox restore has them), and a read goes to storage.
      if (command.type === 'filesStored') return { applied: 0 };
      if (command.type === 'readFile') return {};
      if (this.deps.isStopping() && command.type === 'message') {
        // Leaving: store it; the node that takes the session next runs it.
        const { turn, duplicate } = await this.deps.turnQueueStore.enqueue(sessionId, command.request, new Date(this.deps.clock.now()).toISOString());
        return { success: true, sessionId, queued: duplicate ? turn.state === 'queued' : true, ...(command.request.clientMessageId ? { clientMessageId: command.request.clientMessageId } : {}) };
      }
      if (await takeover.take(sessionId)) return engine.runLocally(command);
    }
    throw ownerUnreachableError(sessionId, undefined, this.deps.settings.commandTimeoutMs);
  }

  /** A command another node routed here: run it while this node holds the lease, else LEASE_LOST (the sender looks again). */
  async runRouted(command: SessionCommand): Promise<unknown> {
    await this.deps.takeover.settled(command.sessionId);
    if (!this.deps.leases.owns(command.sessionId)) throw leaseLostError(command.sessionId, this.deps.leases.tokenOf(command.sessionId) ?? 0);
    return this.deps.requireEngine().runLocally(command);
  }
}
