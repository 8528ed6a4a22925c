import type pg from 'pg';

/** A schema name safe to quote into SQL: letters, digits and `_`, not starting with a digit. */
export function checkedSchemaName(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new TypeError(`Invalid PostgreSQL schema name: ${JSON.stringify(schema)}`);
  return schema;
}

/**
 * Create the cluster tables if absent (idempotent, safe to run from every node at once: the DDL
 * runs under a transaction-scoped advisory lock).
 *
 * `session_leases` keeps its row after a release (expiry set to now) so that the fencing token of
 * the next acquire is still higher than every token handed out before.
 */
export async function migrateClusterSchema(pool: pg.Pool, schema: string): Promise<void> {
  const s = `"${checkedSchemaName(schema)}"`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`agent-runtime-cluster:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.cluster_nodes (
      node_id text PRIMARY KEY,
      deployment_id text NOT NULL,
      started_at timestamptz NOT NULL,
      heartbeat_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL)`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.session_leases (
      session_id text PRIMARY KEY,
      node_id text NOT NULL,
      fencing_token bigint NOT NULL,
      acquired_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL)`);
    await client.query(`CREATE INDEX IF NOT EXISTS session_leases_node ON ${s}.session_leases (node_id)`);
    await client.query(`CREATE INDEX IF NOT EXISTS session_leases_expiry ON ${s}.session_leases (expires_at)`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
