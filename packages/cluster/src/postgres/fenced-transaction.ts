import { leaseLostError, type SessionLease } from '@agent-runtime/core';
import type pg from 'pg';
import { checkedSchemaName } from './cluster-schema.js';

/**
 * Run `work` in a transaction that commits only while `lease` is still the session's current
 * lease: the lease row is read `FOR SHARE`, so a takeover (which updates that row) waits until
 * this transaction ends, and a stale owner — whose token was superseded — is refused with
 * `LEASE_LOST` before it writes anything.
 *
 * Tables that cannot join the transaction can carry the token in the row instead:
 * `UPDATE t SET ..., fencing_token = $n WHERE session_id = $1 AND fencing_token <= $n`
 * (0 rows updated = refused; see `fencedRowCount`).
 */
export async function withFencedTransaction<T>(pool: pg.Pool, schema: string, lease: SessionLease, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const current = await client.query<{ node_id: string; fencing_token: string }>(
      `SELECT node_id, fencing_token FROM "${checkedSchemaName(schema)}".session_leases WHERE session_id = $1 FOR SHARE`,
      [lease.sessionId],
    );
    const row = current.rows[0];
    if (!row || Number(row.fencing_token) !== lease.fencingToken || row.node_id !== lease.nodeId) {
      throw leaseLostError(lease.sessionId, lease.fencingToken, row ? Number(row.fencing_token) : undefined);
    }
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** Check an in-row fenced write (`... WHERE fencing_token <= $n`): throws `LEASE_LOST` when it touched no row. */
export function fencedRowCount(result: { rowCount: number | null }, lease: SessionLease): void {
  if ((result.rowCount ?? 0) === 0) throw leaseLostError(lease.sessionId, lease.fencingToken);
}
