import { persistenceContract } from '@agent-runtime/testkit/contracts';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresPersistence, migrate } from './index.js';
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

persistenceContract('postgres', async () => {
  const schema = testSchemaName('contract');
  schemas.push(schema);
  const adapter = createPostgresPersistence({ pool, schema });
  return {
    adapter,
    seedProfiles: (profiles) => adapter.seedProfiles(profiles),
    cleanup: async () => {
      await adapter.close();
      await dropSchema(pool, schema);
    },
  };
});

describe('createPostgresPersistence', () => {
  it('applies migrations once (also under concurrent starts) and records them', async () => {
    const schema = testSchemaName('migrations');
    schemas.push(schema);
    const applied = await Promise.all([migrate(pool, { schema }), migrate(pool, { schema }), migrate(pool, { schema })]);
    expect(applied.sort()).toEqual([0, 0, 4]);
    const rows = await pool.query(`SELECT version, name FROM "${schema}".schema_migrations`);
    expect(rows.rows.map((row) => row.version)).toEqual([1, 2, 3, 4]);
  });

  it('refuses a schema written by a newer version of the package', async () => {
    const schema = testSchemaName('newer');
    schemas.push(schema);
    await migrate(pool, { schema });
    await pool.query(`INSERT INTO "${schema}".schema_migrations (version, name) VALUES (99, 'future')`);
    await expect(createPostgresPersistence({ pool, schema }).listAllSessions()).rejects.toMatchObject({ code: 'PERSISTENCE_ERROR' });
  });

  it('refuses unsafe schema names and a missing connection', () => {
    expect(() => createPostgresPersistence({ pool, schema: 'x"; DROP TABLE y; --' })).toThrow(/schema name/);
    expect(() => createPostgresPersistence({})).toThrow(/connectionString or a pool/);
  });

  it('owns the pool it creates from a connection string and ends it on close()', async () => {
    const schema = testSchemaName('owned');
    schemas.push(schema);
    const adapter = createPostgresPersistence({ connectionString: TEST_DATABASE_URL, schema });
    expect(await adapter.listAllSessions()).toEqual([]);
    await adapter.close();
    await expect(adapter.listAllSessions()).rejects.toMatchObject({ code: 'PERSISTENCE_ERROR' });
  });

  it('round-trips a 50 MB transcript (text column) and keeps subagent transcripts apart', async () => {
    const schema = testSchemaName('big');
    schemas.push(schema);
    const adapter = createPostgresPersistence({ pool, schema });
    await adapter.createSessionRecord({ sessionId: 'big', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' });
    const big = '{"type":"assistant","text":"日本語 🎉 e\u0301"}\n'.repeat(1_250_000);
    expect(Buffer.byteLength(big)).toBeGreaterThan(50 * 1024 * 1024);
    await adapter.saveTranscript('big', big);
    await adapter.saveTranscript('big', 'sub', 'agent-1');
    const loaded = await adapter.loadSession('big');
    expect(loaded?.rawTranscript === big).toBe(true);
    expect(loaded?.subagents).toEqual([{ id: 'agent-1', rawTranscript: 'sub' }]);
  });

  it('rejects a transcript PostgreSQL text cannot hold (a NUL character) with INVALID_INPUT', async () => {
    const schema = testSchemaName('nul');
    schemas.push(schema);
    const adapter = createPostgresPersistence({ pool, schema });
    await adapter.createSessionRecord({ sessionId: 's', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' });
    await expect(adapter.saveTranscript('s', 'a\u0000b')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
