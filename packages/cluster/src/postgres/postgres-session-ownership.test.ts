import { hasErrorCode } from '@agent-runtime/core';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testPool, uniqueName } from '../test-services.js';
import { migrateClusterSchema } from './cluster-schema.js';
import { fencedRowCount, withFencedTransaction } from './fenced-transaction.js';
import { PostgresNodeRegistry } from './postgres-node-registry.js';
import { PostgresSessionOwnership } from './postgres-session-ownership.js';

const clock = { time: Date.parse('2026-01-01T00:00:00Z'), now() { return this.time; }, advance(ms: number) { this.time += ms; } };
let pool: pg.Pool;
const schema = uniqueName('cluster_test');
let ownership: PostgresSessionOwnership;
let registry: PostgresNodeRegistry;

beforeAll(async () => {
  pool = await testPool();
  await migrateClusterSchema(pool, schema);
  await migrateClusterSchema(pool, schema); // idempotent
  ownership = new PostgresSessionOwnership({ pool, schema, clock });
  registry = new PostgresNodeRegistry({ pool, schema, clock });
  await registry.register({ nodeId: 'a', deploymentId: 'd1' }, 3_600_000);
  await registry.register({ nodeId: 'b', deploymentId: 'd1' }, 3_600_000);
  await registry.register({ nodeId: 'c', deploymentId: 'd2' }, 3_600_000);
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('PostgresSessionOwnership', () => {
  it('gives a session to one node; another live node gets null; the holder re-acquires with the same token', async () => {
    const lease = await ownership.acquire('s1', 'a', 10_000);
    expect(lease).toMatchObject({ sessionId: 's1', nodeId: 'a', fencingToken: 1 });
    expect(await ownership.acquire('s1', 'b', 10_000)).toBeNull();
    expect((await ownership.acquire('s1', 'a', 10_000))?.fencingToken).toBe(1);
    expect((await ownership.owner('s1'))?.nodeId).toBe('a');
    expect((await ownership.sessionsOwnedBy('a')).map((l) => l.sessionId)).toEqual(['s1']);
  });

  it('renews while held; after expiry another node takes over with a higher token and the old lease cannot renew', async () => {
    const first = (await ownership.acquire('s2', 'a', 1_000))!;
    clock.advance(600);
    const renewed = (await ownership.renew(first, 1_000))!;
    expect(Date.parse(renewed.expiresAt)).toBe(clock.now() + 1_000);
    clock.advance(600);
    expect(await ownership.acquire('s2', 'b', 1_000)).toBeNull(); // renewal kept it alive
    clock.advance(500);
    expect((await ownership.expiredLeases()).map((l) => l.sessionId)).toContain('s2');
    expect(await ownership.owner('s2')).toBeNull();
    const taken = (await ownership.acquire('s2', 'b', 1_000))!;
    expect(taken).toMatchObject({ nodeId: 'b', fencingToken: first.fencingToken + 1 });
    expect(await ownership.renew(renewed, 1_000)).toBeNull();
    expect((await ownership.owner('s2'))?.nodeId).toBe('b');
  });

  it('release hands over at once and the token still rises (never reused)', async () => {
    const first = (await ownership.acquire('s3', 'a', 60_000))!;
    await ownership.release(first);
    expect(await ownership.owner('s3')).toBeNull();
    const second = (await ownership.acquire('s3', 'b', 60_000))!;
    expect(second.fencingToken).toBe(first.fencingToken + 1);
    await ownership.release(first); // stale release is a no-op
    expect((await ownership.owner('s3'))?.nodeId).toBe('b');
    const third = (await ownership.acquire('s3', 'b', 60_000))!;
    expect(third.fencingToken).toBe(second.fencingToken);
  });

  it('lets a session of a deregistered node be taken before its lease expires', async () => {
    await registry.register({ nodeId: 'gone', deploymentId: 'd1' }, 60_000);
    const lease = (await ownership.acquire('s4', 'gone', 60_000))!;
    expect(await ownership.acquire('s4', 'b', 60_000)).toBeNull();
    await registry.deregister('gone');
    expect((await ownership.acquire('s4', 'b', 60_000))?.fencingToken).toBe(lease.fencingToken + 1);
  });

  it('one of many concurrent acquirers wins', async () => {
    const results = await Promise.all(['a', 'b', 'a', 'b', 'a', 'b'].map((node) => ownership.acquire('s5', node, 60_000)));
    const winners = new Set(results.filter((lease) => lease !== null).map((lease) => lease!.nodeId));
    expect(winners.size).toBe(1);
    expect(results.filter((lease) => lease !== null).every((lease) => lease!.fencingToken === 1)).toBe(true);
  });

  it('refuses a stale owner\'s fenced write after a takeover (GC pause), in a transaction and in-row', async () => {
    await pool.query(`CREATE TABLE "${schema}".session_state (session_id text PRIMARY KEY, body text NOT NULL, fencing_token bigint NOT NULL)`);
    const stale = (await ownership.acquire('s6', 'a', 1_000))!;
    await withFencedTransaction(pool, schema, stale, (client) =>
      client.query(`INSERT INTO "${schema}".session_state VALUES ('s6', 'from a', $1)`, [stale.fencingToken]),
    );
    clock.advance(2_000); // a pauses past its lease
    const successor = (await ownership.acquire('s6', 'b', 1_000))!;
    await withFencedTransaction(pool, schema, successor, (client) =>
      client.query(`UPDATE "${schema}".session_state SET body = 'from b', fencing_token = $1 WHERE session_id = 's6'`, [successor.fencingToken]),
    );

    const refused = await withFencedTransaction(pool, schema, stale, (client) =>
      client.query(`UPDATE "${schema}".session_state SET body = 'late a' WHERE session_id = 's6'`),
    ).catch((error: unknown) => error);
    expect(hasErrorCode(refused, 'LEASE_LOST')).toBe(true);

    const inRow = await pool.query(
      `UPDATE "${schema}".session_state SET body = 'late a', fencing_token = $1 WHERE session_id = 's6' AND fencing_token <= $1`,
      [stale.fencingToken],
    );
    expect(() => fencedRowCount(inRow, stale)).toThrow(/owned by another node/);
    const { rows } = await pool.query(`SELECT body FROM "${schema}".session_state WHERE session_id = 's6'`);
    expect(rows[0].body).toBe('from b');
  });
});

describe('PostgresNodeRegistry', () => {
  it('lists live nodes by deployment, beats, and drops lapsed ones', async () => {
    expect((await registry.liveNodes('d2')).map((n) => n.nodeId)).toEqual(['c']);
    await registry.register({ nodeId: 'short', deploymentId: 'd3' }, 1_000);
    expect(await registry.heartbeat('short', 1_000)).toBe(true);
    clock.advance(1_500);
    expect(await registry.liveNodes('d3')).toEqual([]);
    expect(await registry.heartbeat('short', 1_000)).toBe(false);
    expect(await registry.heartbeat('never', 1_000)).toBe(false);
  });
});
