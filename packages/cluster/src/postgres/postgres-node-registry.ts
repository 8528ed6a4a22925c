import type { NodeRegistry, RuntimeNodeRecord } from '@agent-runtime/core';
import type pg from 'pg';
import { checkedSchemaName } from './cluster-schema.js';
import { type ClusterClock, nowParameter, nowSql } from './clock-parameter.js';

interface NodeRow {
  node_id: string;
  deployment_id: string;
  started_at: Date;
  heartbeat_at: Date;
  expires_at: Date;
}

const COLUMNS = 'node_id, deployment_id, started_at, heartbeat_at, expires_at';

function recordFromRow(row: NodeRow): RuntimeNodeRecord {
  return {
    nodeId: row.node_id,
    deploymentId: row.deployment_id,
    startedAt: row.started_at.toISOString(),
    heartbeatAt: row.heartbeat_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

export interface PostgresNodeRegistryOptions {
  pool: pg.Pool;
  schema: string;
  /** Tests only: drive time; otherwise the database's clock decides. */
  clock?: ClusterClock;
}

/** The live runtime nodes in PostgreSQL: a row per node with a heartbeat and an expiry. */
export class PostgresNodeRegistry implements NodeRegistry {
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly clock: ClusterClock | undefined;

  constructor(options: PostgresNodeRegistryOptions) {
    this.pool = options.pool;
    this.table = `"${checkedSchemaName(options.schema)}".cluster_nodes`;
    this.clock = options.clock;
  }

  async register(node: { nodeId: string; deploymentId: string }, ttlMs: number): Promise<RuntimeNodeRecord> {
    const result = await this.pool.query<NodeRow>(
      `INSERT INTO ${this.table} (${COLUMNS})
       VALUES ($1, $2, ${nowSql(4)}, ${nowSql(4)}, ${nowSql(4)} + $3 * interval '1 millisecond')
       ON CONFLICT (node_id) DO UPDATE SET deployment_id = EXCLUDED.deployment_id, started_at = EXCLUDED.started_at,
         heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at
       RETURNING ${COLUMNS}`,
      [node.nodeId, node.deploymentId, ttlMs, nowParameter(this.clock)],
    );
    return recordFromRow(result.rows[0]!);
  }

  async heartbeat(nodeId: string, ttlMs: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.table} SET heartbeat_at = ${nowSql(3)}, expires_at = ${nowSql(3)} + $2 * interval '1 millisecond'
       WHERE node_id = $1 AND expires_at > ${nowSql(3)}`,
      [nodeId, ttlMs, nowParameter(this.clock)],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async deregister(nodeId: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE node_id = $1`, [nodeId]);
  }

  async liveNodes(deploymentId?: string): Promise<RuntimeNodeRecord[]> {
    const result = await this.pool.query<NodeRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE expires_at > ${nowSql(1)} AND ($2::text IS NULL OR deployment_id = $2) ORDER BY node_id`,
      [nowParameter(this.clock), deploymentId ?? null],
    );
    return result.rows.map(recordFromRow);
  }
}
