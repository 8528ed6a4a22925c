import type { SessionLease, SessionOwnership } from '@agent-runtime/core';
import type pg from 'pg';
import { checkedSchemaName } from './cluster-schema.js';
import { type ClusterClock, nowParameter, nowSql } from './clock-parameter.js';
import { LEASE_COLUMNS, type LeaseRow, leaseFromRow } from './lease-row.js';

export interface PostgresSessionOwnershipOptions {
  pool: pg.Pool;
  /** Schema of the cluster tables (`migrateClusterSchema` creates them). */
  schema: string;
  /**
   * When true (the default), a lease whose node is not live in the node registry (deregistered,
   * or its heartbeat lapsed) can be acquired before its own expiry: a graceful stop hands its
   * sessions over at once. Every node must then register and beat.
   */
  takeOverFromDeadNodes?: boolean;
  /** Tests only: drive time; otherwise the database's clock is the one clock of all nodes. */
  clock?: ClusterClock;
}

function checkedTtl(ttlMs: number): number {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0) throw new TypeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  return ttlMs;
}

/**
 * Session leases in PostgreSQL: one row per session with an expiry and a fencing token that rises
 * on every change of hands. All decisions are single statements (no lock held between calls), so
 * they work the same through a transaction-mode connection pooler.
 */
export class PostgresSessionOwnership implements SessionOwnership {
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly nodes: string;
  private readonly honourRegistry: boolean;
  private readonly clock: ClusterClock | undefined;

  constructor(options: PostgresSessionOwnershipOptions) {
    const schema = `"${checkedSchemaName(options.schema)}"`;
    this.pool = options.pool;
    this.table = `${schema}.session_leases`;
    this.nodes = `${schema}.cluster_nodes`;
    this.honourRegistry = options.takeOverFromDeadNodes ?? true;
    this.clock = options.clock;
  }

  /** SQL true when the lease row `alias` is held by a live node at `$index` (now). */
  private liveSql(alias: string, index: number): string {
    const unexpired = `${alias}.expires_at > ${nowSql(index)}`;
    if (!this.honourRegistry) return `(${unexpired})`;
    return `(${unexpired} AND EXISTS (SELECT 1 FROM ${this.nodes} n WHERE n.node_id = ${alias}.node_id AND n.expires_at > ${nowSql(index)}))`;
  }

  async acquire(sessionId: string, nodeId: string, ttlMs: number): Promise<SessionLease | null> {
    const sameHolder = `l.node_id = EXCLUDED.node_id AND ${this.liveSql('l', 4)}`;
    const result = await this.pool.query<LeaseRow>(
      `INSERT INTO ${this.table} AS l (${LEASE_COLUMNS})
       VALUES ($1, $2, 1, ${nowSql(4)}, ${nowSql(4)} + $3 * interval '1 millisecond')
       ON CONFLICT (session_id) DO UPDATE SET
         fencing_token = CASE WHEN ${sameHolder} THEN l.fencing_token ELSE l.fencing_token + 1 END,
         acquired_at = CASE WHEN ${sameHolder} THEN l.acquired_at ELSE EXCLUDED.acquired_at END,
         node_id = EXCLUDED.node_id,
         expires_at = EXCLUDED.expires_at
       WHERE l.node_id = EXCLUDED.node_id OR NOT ${this.liveSql('l', 4)}
       RETURNING ${LEASE_COLUMNS}`,
      [sessionId, nodeId, checkedTtl(ttlMs), nowParameter(this.clock)],
    );
    const row = result.rows[0];
    return row ? leaseFromRow(row) : null;
  }

  async renew(lease: SessionLease, ttlMs: number): Promise<SessionLease | null> {
    const result = await this.pool.query<LeaseRow>(
      `UPDATE ${this.table} AS l SET expires_at = ${nowSql(4)} + $3 * interval '1 millisecond'
       WHERE session_id = $1 AND fencing_token = $2 AND node_id = $5 AND l.expires_at > ${nowSql(4)}
       RETURNING ${LEASE_COLUMNS}`,
      [lease.sessionId, lease.fencingToken, checkedTtl(ttlMs), nowParameter(this.clock), lease.nodeId],
    );
    const row = result.rows[0];
    return row ? leaseFromRow(row) : null;
  }

  async release(lease: SessionLease): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET expires_at = LEAST(expires_at, ${nowSql(3)})
       WHERE session_id = $1 AND fencing_token = $2 AND node_id = $4`,
      [lease.sessionId, lease.fencingToken, nowParameter(this.clock), lease.nodeId],
    );
  }

  async owner(sessionId: string): Promise<SessionLease | null> {
    const result = await this.pool.query<LeaseRow>(
      `SELECT ${LEASE_COLUMNS} FROM ${this.table} l WHERE session_id = $1 AND ${this.liveSql('l', 2)}`,
      [sessionId, nowParameter(this.clock)],
    );
    const row = result.rows[0];
    return row ? leaseFromRow(row) : null;
  }

  async sessionsOwnedBy(nodeId: string): Promise<SessionLease[]> {
    const result = await this.pool.query<LeaseRow>(
      `SELECT ${LEASE_COLUMNS} FROM ${this.table} l WHERE node_id = $1 AND ${this.liveSql('l', 2)} ORDER BY session_id`,
      [nodeId, nowParameter(this.clock)],
    );
    return result.rows.map(leaseFromRow);
  }

  async expiredLeases(limit = 1000): Promise<SessionLease[]> {
    const result = await this.pool.query<LeaseRow>(
      `SELECT ${LEASE_COLUMNS} FROM ${this.table} l WHERE NOT ${this.liveSql('l', 1)} ORDER BY expires_at LIMIT $2`,
      [nowParameter(this.clock), limit],
    );
    return result.rows.map(leaseFromRow);
  }

  async forget(sessionId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE session_id = $1`, [sessionId]);
  }
}
