import { approvalRequestStoreContract, eventLogContract, turnQueueContract } from '@agent-runtime/testkit/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresPersistence, type PostgresPersistence } from './index.js';
import { dropSchema, TEST_DATABASE_URL, testSchemaName } from './test-database.js';

const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 8 });
const schemas: string[] = [];

beforeAll(async () => {
  await pool.query('SELECT 1');
});
afterAll(async () => {
  for (const schema of schemas) await dropSchema(pool, schema);
  await pool.end();
});

/** A fresh schema; `reopen` closes the adapter (and its own pool) and opens the schema again (a restart). */
function durableSubject<Store>(pick: (adapter: PostgresPersistence) => Store, eventLogCommit?: 'synchronous' | 'asynchronous') {
  return async () => {
    const schema = testSchemaName('durability');
    schemas.push(schema);
    const open = () => createPostgresPersistence({ connectionString: TEST_DATABASE_URL, schema, poolConfig: { max: 4 }, ...(eventLogCommit ? { eventLogCommit } : {}) });
    let adapter = open();
    return {
      store: pick(adapter),
      reopen: async () => {
        await adapter.close();
        adapter = open();
        return pick(adapter);
      },
      cleanup: async () => {
        await adapter.close();
        await dropSchema(pool, schema);
      },
    };
  };
}

eventLogContract('postgres', durableSubject((adapter) => adapter.sessionEventLog()));
eventLogContract('postgres, asynchronous commit', durableSubject((adapter) => adapter.sessionEventLog(), 'asynchronous'));
turnQueueContract('postgres', durableSubject((adapter) => adapter.turnQueueStore()));
approvalRequestStoreContract('postgres', durableSubject((adapter) => adapter.approvalRequestStore()));

describe('postgres durability', () => {
  it('serialises appenders from two pools (two nodes) on the session head row', async () => {
    const schema = testSchemaName('two_nodes');
    schemas.push(schema);
    const first = createPostgresPersistence({ connectionString: TEST_DATABASE_URL, schema, poolConfig: { max: 4 } });
    const second = createPostgresPersistence({ connectionString: TEST_DATABASE_URL, schema, poolConfig: { max: 4 } });
    await first.migrate();
    const event = (n: number) => ({ event: 'session:block:delta' as const, data: { sessionId: 's', conversationId: 'main', blockId: 'b', delta: `${n}` } });
    const batches = await Promise.all(Array.from({ length: 24 }, (_, n) => (n % 2 === 0 ? first : second).sessionEventLog().append('s', [event(n), event(n)])));
    expect(batches.flat().map((logged) => logged.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 48 }, (_, index) => index + 1));
    for (const batch of batches) expect(batch[1]!.seq).toBe(batch[0]!.seq + 1);
    const stored = await second.sessionEventLog().read('s', 0);
    expect(stored).toEqual(batches.flat().sort((a, b) => a.seq - b.seq));
    await first.close();
    await second.close();
  });

  it('commits asynchronously only the appends of an eventLogCommit: asynchronous log (SET LOCAL, nothing leaks into the pool)', async () => {
    const schema = testSchemaName('async');
    schemas.push(schema);
    const single = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 1 });
    try {
      const adapter = createPostgresPersistence({ pool: single, schema, eventLogCommit: 'asynchronous' });
      const logged = await adapter.sessionEventLog().append('s', [{ event: 'session:block:delta', data: { sessionId: 's', conversationId: 'main', blockId: 'b', delta: 'x' } }]);
      expect(logged.map((event) => event.seq)).toEqual([1]);
      expect((await single.query('SHOW synchronous_commit')).rows).toEqual([{ synchronous_commit: 'on' }]);
    } finally {
      await single.end();
    }
  });

  it('stores appended transcript deltas as rows of their own and leaves the base row text alone', async () => {
    const schema = testSchemaName('chunks');
    schemas.push(schema);
    const adapter = createPostgresPersistence({ pool, schema });
    await adapter.createSessionRecord({ sessionId: 's', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' });
    await adapter.appendTranscript('s', 'base\n');
    await adapter.appendTranscript('s', 'one\n');
    await adapter.appendTranscript('s', 'two\n', 'agent-1');
    await adapter.appendTranscript('s', 'three\n', 'agent-1');
    expect((await pool.query(`SELECT raw_transcript FROM "${schema}".transcripts`)).rows).toEqual([{ raw_transcript: 'base\n' }]);
    expect((await pool.query(`SELECT subagent_id, text FROM "${schema}".transcript_chunks ORDER BY chunk_id`)).rows).toEqual([
      { subagent_id: '', text: 'one\n' },
      { subagent_id: 'agent-1', text: 'three\n' },
    ]);
  });
  it('refuses a negative or fractional seq or limit with INVALID_INPUT and an unknown turn with NOT_FOUND', async () => {
    const schema = testSchemaName('bad_input');
    schemas.push(schema);
    const adapter = createPostgresPersistence({ pool, schema });
    const log = adapter.sessionEventLog();
    await expect(log.read('s', -1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(log.read('s', 0, 1.5)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(log.trim('s', Number.NaN)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(adapter.turnQueueStore().complete('s', 7, 'completed')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
