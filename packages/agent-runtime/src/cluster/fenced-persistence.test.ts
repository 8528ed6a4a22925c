import { randomBytes } from 'node:crypto';
import { hasErrorCode, type PendingRequest, type PersistenceAdapter, type SessionLease } from '@agent-runtime/core';
import { PostgresSessionOwnership, migrateClusterSchema } from '@agent-runtime/cluster';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fencedPersistence } from './fenced-persistence.js';

const DATABASE_URL = process.env.AGENT_RUNTIME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const unique = `${process.pid}_${randomBytes(3).toString('hex')}`;
const schema = `fenced_store_${unique}`;
const clusterSchema = `fenced_store_leases_${unique}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 4 });
const persistence = createPostgresPersistence({ connectionString: DATABASE_URL, schema, poolConfig: { max: 4 } });
// The lease clock is driven by the test: a lapse needs no waiting.
const clock = { time: Date.parse('2026-01-01T00:00:00Z'), now() { return this.time; } };
const ownership = new PostgresSessionOwnership({ pool, schema: clusterSchema, takeOverFromDeadNodes: false, clock });
const leases = new Map<string, SessionLease | undefined>();
const refused: SessionLease[] = [];
const storeOf = (nodeId: string, base: typeof persistence = persistence) =>
  fencedPersistence(base, { pool: () => pool, schema: clusterSchema, leaseOf: () => leases.get(nodeId), onLeaseLost: (lease) => refused.push(lease) });

const record = (sessionId: string) => ({ sessionId, type: 'claude-agent-sdk' as const, agentProfileReference: 'helper', status: 'inactive' as const, createdAt: 1, lastActivity: 1 });
const permission = (sessionId: string, requestId: string): PendingRequest => ({
  kind: 'permission', sessionId, conversationId: 'main', requestId, toolName: 'Bash', toolUseId: `toolu_${requestId}`, input: {}, createdAt: 1, expiresAt: 2,
});

beforeAll(async () => {
  await migrateClusterSchema(pool, clusterSchema);
});

afterAll(async () => {
  await persistence.close();
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.query(`DROP SCHEMA IF EXISTS "${clusterSchema}" CASCADE`);
  await pool.end();
});

async function takeOver(sessionId: string, from: string, to: string): Promise<void> {
  leases.set(from, (await ownership.acquire(sessionId, from, 1_000))!);
  clock.time += 2_000; // from's lease lapses (a long pause, a partition)
  leases.set(to, (await ownership.acquire(sessionId, to, 60_000))!);
}

describe('fencedPersistence', () => {
  it('refuses every write of a node whose lease was taken with LEASE_LOST; the successor writes; the stored data is the successor\'s', async () => {
    const stale = storeOf('node-a');
    const successor = storeOf('node-b');
    // Not fenced: a new session's record, before any lease exists.
    await stale.createSessionRecord(record('s1'));
    leases.set('node-a', (await ownership.acquire('s1', 'node-a', 1_000))!);
    await stale.saveTranscript('s1', 'a-1\n');
    await stale.saveWorkspaceFile('s1', { path: 'notes.md', content: 'from a' });
    await stale.saveWorkspaceFile('s1', { path: 'old.txt', content: 'keep me' });
    clock.time += 2_000;
    leases.set('node-b', (await ownership.acquire('s1', 'node-b', 60_000))!);

    const attempts: Record<string, () => Promise<unknown>> = {
      saveTranscript: () => stale.saveTranscript('s1', 'a-late\n'),
      appendTranscript: () => stale.appendTranscript!('s1', 'a-late-delta\n'),
      saveWorkspaceFile: () => stale.saveWorkspaceFile('s1', { path: 'notes.md', content: 'a, late' }),
      deleteSessionFile: () => stale.deleteSessionFile('s1', 'old.txt'),
      updateSessionRecord: () => stale.updateSessionRecord('s1', { name: 'renamed by a' }),
      approvalAdd: () => stale.approvalRequestStore!().add(permission('s1', 'r-a')),
    };
    for (const [write, attempt] of Object.entries(attempts)) {
      const error = await attempt().then(() => undefined, (failure: unknown) => failure);
      expect(hasErrorCode(error, 'LEASE_LOST'), write).toBe(true);
    }
    expect(refused.every((lease) => lease.nodeId === 'node-a' && lease.fencingToken === 1)).toBe(true);
    expect(refused).toHaveLength(Object.keys(attempts).length);

    await successor.saveTranscript('s1', 'b-1\n');
    await successor.appendTranscript!('s1', 'b-2\n');
    await successor.saveWorkspaceFile('s1', { path: 'notes.md', content: 'from b' });
    await successor.updateSessionRecord('s1', { name: 'named by b' });
    const approvals = successor.approvalRequestStore!();
    await approvals.add(permission('s1', 'r-b'));
    expect((await approvals.resolve('s1', 'r-b', { decision: 'allow', by: 'bob', resolvedAt: 3 }))?.alreadyResolved).toBe(false);

    const saved = await persistence.loadSession('s1');
    expect(saved?.rawTranscript).toBe('b-1\nb-2\n');
    expect(Object.fromEntries(saved!.workspaceFiles.map((file) => [file.path, file.content]))).toEqual({ 'notes.md': 'from b', 'old.txt': 'keep me' });
    expect(saved?.name).toBe('named by b');
    expect((await persistence.approvalRequestStore().list('s1')).map((stored) => stored.request.requestId)).toEqual(['r-b']);
  });

  it('a takeover waits for a fenced write in flight; the write lands before it, and the next write of the old owner is refused', async () => {
    await persistence.createSessionRecord(record('s2'));
    leases.set('node-c', (await ownership.acquire('s2', 'node-c', 1_000))!);
    let release!: () => void;
    let entered!: () => void;
    const writing = new Promise<void>((resolve) => { entered = resolve; });
    const gate = new Promise<void>((resolve) => { release = resolve; });
    // The write itself is held open, as a slow statement would be.
    const slow: typeof persistence = Object.assign(Object.create(persistence) as typeof persistence, {
      saveTranscript: async (sessionId: string, text: string) => {
        entered();
        await gate;
        await persistence.saveTranscript(sessionId, text);
      },
    });
    const inFlight = storeOf('node-c', slow).saveTranscript('s2', 'c, in flight\n');
    await writing;
    clock.time += 2_000;
    let taken: SessionLease | null | undefined;
    const taking = ownership.acquire('s2', 'node-d', 60_000).then((lease) => { taken = lease; });
    await waitForLockWait(); // the takeover blocks on the lease row
    expect(taken).toBeUndefined();
    release();
    await inFlight;
    await taking;
    expect(taken).toMatchObject({ nodeId: 'node-d', fencingToken: 2 });
    expect((await persistence.loadSession('s2'))?.rawTranscript).toBe('c, in flight\n');
    await expect(storeOf('node-c').saveTranscript('s2', 'c, late\n')).rejects.toMatchObject({ code: 'LEASE_LOST' });
  });

  it('writes for a session this node holds no lease on (an upload stored for the owner) go through unfenced', async () => {
    await persistence.createSessionRecord(record('s3'));
    await takeOver('s3', 'node-e', 'node-f');
    leases.set('node-g', undefined);
    await storeOf('node-g').saveWorkspaceFile('s3', { path: 'upload.txt', content: 'from a client' });
    expect((await persistence.loadSession('s3'))?.workspaceFiles).toEqual([{ path: 'upload.txt', content: 'from a client' }]);
  });

  it('costs one short transaction per write (measured: fenced vs plain)', async () => {
    await persistence.createSessionRecord(record('s4'));
    leases.set('node-h', (await ownership.acquire('s4', 'node-h', 3_600_000))!);
    const fenced = storeOf('node-h');
    const writes = 300;
    const timed = async (store: PersistenceAdapter) => {
      const began = performance.now();
      for (let index = 0; index < writes; index += 1) await store.saveWorkspaceFile('s4', { path: 'bench.txt', content: `write ${index}` });
      return (performance.now() - began) / writes;
    };
    await timed(persistence); // warm both pools
    const plainMs = await timed(persistence);
    const fencedMs = await timed(fenced);
    console.log(JSON.stringify({ bench: 'fenced-persistence', writes, plainMsPerWrite: round(plainMs), fencedMsPerWrite: round(fencedMs), addedMsPerWrite: round(fencedMs - plainMs) }));
    expect((await persistence.loadSession('s4'))?.workspaceFiles).toEqual([{ path: 'bench.txt', content: `write ${writes - 1}` }]);
  });
});

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Until some backend waits on a row lock of the lease table (the blocked takeover). */
async function waitForLockWait(): Promise<void> {
  for (;;) {
    const waiting = await pool.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%session_leases%'`);
    if ((waiting.rowCount ?? 0) > 0) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
