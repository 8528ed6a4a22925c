import type { Logger, SessionLease } from '@agent-runtime/core';
import type { PostgresSessionOwnership } from '@agent-runtime/cluster';

export interface SessionLeasesDependencies {
  nodeId: string;
  leaseTtlMs: number;
  /** The PostgreSQL leases (there once the coordinator started). */
  ownership(): PostgresSessionOwnership;
  /** This node lost the session without handing it over: stop it here at once. */
  abandon(sessionId: string): Promise<void>;
  logger: Logger;
}

/**
 * The leases this node holds: which sessions it runs, the fencing token its writes carry (kept
 * after a loss, so late writes are refused), renewal, and what happens when one is lost.
 */
export class SessionLeases {
  private readonly held = new Map<string, SessionLease>();
  /** Token of the last lease held per session: kept after a loss, so late writes are refused. */
  private readonly tokens = new Map<string, number>();
  /** Leases lost (not handed over) of sessions still being stopped here: their storage writes are refused. */
  private readonly lost = new Map<string, SessionLease>();

  constructor(private readonly deps: SessionLeasesDependencies) {}

  get size(): number {
    return this.held.size;
  }

  owns(sessionId: string): boolean {
    return this.held.has(sessionId);
  }

  get(sessionId: string): SessionLease | undefined {
    return this.held.get(sessionId);
  }

  sessionIds(): string[] {
    return [...this.held.keys()];
  }

  tokenOf(sessionId: string): number | undefined {
    return this.tokens.get(sessionId);
  }

  hold(lease: SessionLease): void {
    this.lost.delete(lease.sessionId);
    this.held.set(lease.sessionId, lease);
    this.tokens.set(lease.sessionId, lease.fencingToken);
  }

  /** The lease was released (handed over, or a takeover failed): no longer held here. */
  drop(sessionId: string): void {
    this.held.delete(sessionId);
  }

  /** The session's lease as this node holds it; after a loss, the last token it held (so its writes are refused). */
  leaseOf(sessionId: string): SessionLease {
    return this.held.get(sessionId) ?? { sessionId, nodeId: this.deps.nodeId, fencingToken: this.tokens.get(sessionId) ?? 0, acquiredAt: '', expiresAt: '' };
  }

  /** The lease storage writes are fenced by: the held one, or a lost one while its session stops here. */
  fencingLeaseOf(sessionId: string): SessionLease | undefined {
    return this.held.get(sessionId) ?? this.lost.get(sessionId);
  }

  /** Renew every lease (a lost one stops its session here). */
  async renewAll(): Promise<void> {
    await Promise.all([...this.held.values()].map((lease) => this.renew(lease)));
  }

  private async renew(lease: SessionLease): Promise<void> {
    const renewed = await this.deps.ownership().renew(lease, this.deps.leaseTtlMs);
    if (this.held.get(lease.sessionId) !== lease) return; // released or replaced meanwhile
    if (renewed) {
      this.held.set(lease.sessionId, renewed);
      return;
    }
    await this.lose(lease);
  }

  /**
   * Another node took the session (a renewal or a fenced write was refused): stop it here at once.
   * While it stops, its writes still meet the lost lease and are refused; once it stopped, nothing
   * of the old owner writes any more, and writes for the session here (uploads) go through unfenced.
   */
  async lose(lease: SessionLease): Promise<void> {
    const { sessionId } = lease;
    if (this.held.get(sessionId)?.fencingToken !== lease.fencingToken) return; // released, replaced, or already lost
    this.held.delete(sessionId);
    this.lost.set(sessionId, lease);
    this.deps.logger.warn({ sessionId, fencingToken: lease.fencingToken }, 'cluster: lease lost; stopping the session on this node');
    try {
      await this.deps.abandon(sessionId);
    } finally {
      if (this.lost.get(sessionId) === lease) this.lost.delete(sessionId);
    }
  }
}
