import type { Logger } from '@agent-runtime/core';
import type { PostgresNodeRegistry } from '@agent-runtime/cluster';
import type { Clock } from '@agent-runtime/session-engine';
import type { ClusterSettings } from './cluster-settings.js';

export interface NodeHeartbeatDependencies {
  settings: ClusterSettings;
  /** There once the coordinator started. */
  registry(): PostgresNodeRegistry;
  /** Renew every lease this node holds (a lost one stops its session here). */
  renewLeases(): Promise<void>;
  /** Take over, in the background, the sessions nobody runs. */
  takeOver(): void;
  /** True once the node is leaving: beats and renewals go on while it drains, takeovers stop. */
  isStopping(): boolean;
  clock: Clock;
  logger: Logger;
}

/** Every third of the lease TTL: beat, renew every lease, take what nobody runs. */
export class NodeHeartbeat {
  private timer: unknown;
  private ticking: Promise<void> | undefined;
  /** Set once the leases are handed over: no more beats or renewals (they go on while draining). */
  private left = false;

  constructor(private readonly deps: NodeHeartbeatDependencies) {}

  /** The first tick after `delayMs`, then one every third of the TTL. */
  schedule(delayMs = Math.max(100, Math.floor(this.deps.settings.leaseTtlMs / 3))): void {
    if (this.left) return; // while draining, leases are still renewed (takeovers stop at once)
    this.timer = this.deps.clock.setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule();
      });
    }, delayMs);
  }

  /** The leases are handed over: no more ticks; resolves once a tick in progress has finished. */
  async stop(): Promise<void> {
    this.left = true;
    if (this.timer !== undefined) this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  private async tick(): Promise<void> {
    const { leaseTtlMs, deploymentId, nodeId } = this.deps.settings;
    const registry = this.deps.registry();
    try {
      if (!(await registry.heartbeat(nodeId, leaseTtlMs))) {
        this.deps.logger.warn({ nodeId }, 'cluster: this node was declared dead; registering again');
        await registry.register({ nodeId, deploymentId }, leaseTtlMs);
      }
      await this.deps.renewLeases();
    } catch (error) {
      this.deps.logger.warn({ error: String(error) }, 'cluster: heartbeat or renewal failed');
    }
    // Taking sessions over can take a while (each is loaded and recovered): never in the way of renewals.
    if (this.deps.isStopping()) return;
    this.deps.takeOver();
  }
}
