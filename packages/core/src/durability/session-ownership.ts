/**
 * The right of one node to run a session's turns, for a limited time.
 *
 * `fencingToken` rises strictly every time the session changes hands (or its lease lapsed and was
 * taken again): a write that carries a token lower than the current one comes from a node that
 * lost its lease — a long GC pause, a partition — and the store refuses it.
 */
export interface SessionLease {
  sessionId: string;
  /** The node that holds (or last held) the lease. */
  nodeId: string;
  /** Rises strictly on every takeover of the session; never reused. */
  fencingToken: number;
  /** ISO time this node acquired the lease (a renewal keeps it). */
  acquiredAt: string;
  /** ISO time the lease lapses unless renewed first. */
  expiresAt: string;
}

/**
 * Who runs which session across many runtime nodes: exactly one node at a time.
 *
 * A node `acquire`s a session before running its turns, `renew`s the lease well within `ttlMs`
 * (a third of it is usual) and `release`s it on a graceful hand-over. When the owner dies its
 * lease lapses and any node may `acquire` it, with a higher fencing token. Every write of the
 * owner carries its lease's token so that a stale owner cannot write over its successor.
 */
export interface SessionOwnership {
  /**
   * Take the session for `ttlMs`: a lease when nobody else holds a live one (a new fencing token
   * when the session changes hands or its lease had lapsed; the same token when `nodeId` already
   * holds it, as a renewal), or `null` when another live node owns it.
   */
  acquire(sessionId: string, nodeId: string, ttlMs: number): Promise<SessionLease | null>;

  /** Extend a lease still held: the renewed lease, or `null` when it was lost (lapsed and taken, or released). */
  renew(lease: SessionLease, ttlMs: number): Promise<SessionLease | null>;

  /** Give the session up at once (the next `acquire` by any node succeeds); a lost lease is a no-op. */
  release(lease: SessionLease): Promise<void>;

  /** The live lease of the session, or `null` when no live node owns it. */
  owner(sessionId: string): Promise<SessionLease | null>;

  /** The live leases a node holds. */
  sessionsOwnedBy(nodeId: string): Promise<SessionLease[]>;

  /** Leases that lapsed (or were released) and nobody took since: the sessions a surviving node should take. */
  expiredLeases(limit?: number): Promise<SessionLease[]>;

  /** Remove the session's lease for good (the session was deleted). */
  forget(sessionId: string): Promise<void>;
}

/** A runtime node as the registry knows it. */
export interface RuntimeNodeRecord {
  nodeId: string;
  /** Nodes of one deployment share sandboxes and storage; reaping never crosses deployments. */
  deploymentId: string;
  /** ISO time the node registered. */
  startedAt: string;
  /** ISO time of its last heartbeat. */
  heartbeatAt: string;
  /** ISO time after which the node counts as dead unless it beats again. */
  expiresAt: string;
}

/**
 * The live runtime nodes, so that "no live node owns this session" (or this sandbox) can be
 * decided. A node registers at start, beats well within `ttlMs`, and deregisters on a graceful stop.
 */
export interface NodeRegistry {
  /** Register (or re-register) a node as live for `ttlMs`. */
  register(node: { nodeId: string; deploymentId: string }, ttlMs: number): Promise<RuntimeNodeRecord>;

  /** Keep the node live for another `ttlMs`; false when it is not registered (it was declared dead or deregistered). */
  heartbeat(nodeId: string, ttlMs: number): Promise<boolean>;

  /** Remove the node (a graceful stop): its leases become acquirable at once. */
  deregister(nodeId: string): Promise<void>;

  /** Nodes whose heartbeat has not lapsed, of one deployment when given. */
  liveNodes(deploymentId?: string): Promise<RuntimeNodeRecord[]>;
}
