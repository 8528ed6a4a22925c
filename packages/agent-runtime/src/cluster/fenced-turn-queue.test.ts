import { randomBytes } from 'node:crypto';
import { hasErrorCode, type SessionLease } from '@agent-runtime/core';
import { PostgresSessionOwnership, migrateClusterSchema, withFencedTransaction } from '@agent-runtime/cluster';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fencedTurnQueue } from './fenced-turn-queue.js';

const DATABASE_URL = process.env.AGENT_RUNTIME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const unique = `${process.pid}_${randomBytes(3).toString('hex')}`;
const schema = `fenced_queue_${unique}`;
const clusterSchema = `fenced_queue_leases_${unique}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
const persistence = createPostgresPersistence({ connectionString: DATABASE_URL, schema, poolConfig: { max: 2 } });

afterAll(async () => {
  await persistence.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.query(`DROP SCHEMA IF EXISTS "${clusterSchema}" CASCADE`);
  await pool.end();
});

describe('fencedTurnQueue', () => {
  it('a node whose lease was taken can neither start a queued turn nor close a running one; the new owner can', async () => {
    await migrateClusterSchema(pool, clusterSchema);
    const ownership = new PostgresSessionOwnership({ pool, schema: clusterSchema, takeOverFromDeadNodes: false });
    const shared = persistence.turnQueueStore();
    const leases = new Map<string, SessionLease>();
    const queueOf = (nodeId: string) => fencedTurnQueue(shared, (_sessionId, work) => withFencedTransaction(pool, clusterSchema, leases.get(nodeId)!, work));
    const stale = queueOf('node-a');
    const successor = queueOf('node-b');

    leases.set('node-a', (await ownership.acquire('s1', 'node-a', 300))!);
    const first = await stale.enqueue('s1', { content: 'one', clientMessageId: 'c1' }, new Date().toISOString());
    const second = await stale.enqueue('s1', { content: 'two', clientMessageId: 'c2' }, new Date().toISOString());
    await stale.markRunning('s1', first.turn.position, 't1');

    await new Promise((resolve) => setTimeout(resolve, 400)); // a's lease lapses (a long pause)
    leases.set('node-b', (await ownership.acquire('s1', 'node-b', 10_000))!);

    const refusedComplete = await stale.complete('s1', first.turn.position, 'completed').catch((error: unknown) => error);
    const refusedStart = await stale.markRunning('s1', second.turn.position, 't2').catch((error: unknown) => error);
    expect(hasErrorCode(refusedComplete, 'LEASE_LOST')).toBe(true);
    expect(hasErrorCode(refusedStart, 'LEASE_LOST')).toBe(true);
    expect((await shared.pending('s1')).map((turn) => [turn.position, turn.state])).toEqual([[first.turn.position, 'running'], [second.turn.position, 'queued']]);

    // The successor ends the cut turn and runs the queued one.
    await successor.complete('s1', first.turn.position, 'error');
    await successor.markRunning('s1', second.turn.position, 't2');
    await successor.complete('s1', second.turn.position, 'completed');
    expect(await shared.pending('s1')).toEqual([]);
  });
});
