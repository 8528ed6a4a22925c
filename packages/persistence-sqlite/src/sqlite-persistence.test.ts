import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { persistenceContract } from '@agent-runtime/testkit/contracts';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlitePersistence } from './index.js';

let directory: string;
let counter = 0;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'persistence-sqlite-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

persistenceContract('sqlite', async () => {
  counter += 1;
  const adapter = createSqlitePersistence({ filename: join(directory, `contract-${counter}.db`) });
  return { adapter, seedProfiles: (profiles) => adapter.seedProfiles(profiles), cleanup: () => adapter.close() };
});

describe('createSqlitePersistence', () => {
  it('opens in WAL mode with foreign keys, records its migrations, and reopens without re-applying them', async () => {
    const filename = join(directory, 'migrations.db');
    const first = createSqlitePersistence({ filename });
    await first.migrate();
    await first.createSessionRecord({ sessionId: 's', type: 'gemini-cli', agentProfileReference: 'p', status: 'pending' });
    await first.close();
    const second = createSqlitePersistence({ filename });
    expect(await second.listAllSessions()).toHaveLength(1);
    await second.close();
    const raw = new BetterSqlite3(filename, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version, name FROM schema_migrations').all()).toEqual([
      { version: 1, name: 'sessions, transcripts, workspace files, agent profiles' },
      { version: 2, name: 'session event log, turn queue, appended transcript chunks' },
      { version: 3, name: 'approval requests' },
    ]);
    raw.close();
  });

  it('refuses a database written by a newer version of the package', async () => {
    const filename = join(directory, 'newer.db');
    const adapter = createSqlitePersistence({ filename });
    await adapter.migrate();
    await adapter.close();
    const raw = new BetterSqlite3(filename);
    raw.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, ?, 0)').run('future');
    raw.close();
    await expect(createSqlitePersistence({ filename }).listAllSessions()).rejects.toMatchObject({ code: 'PERSISTENCE_ERROR' });
  });

  it('rejects calls after close() with PERSISTENCE_ERROR', async () => {
    const adapter = createSqlitePersistence({ filename: ':memory:' });
    await adapter.close();
    await expect(adapter.listAllSessions()).rejects.toMatchObject({ code: 'PERSISTENCE_ERROR' });
  });

  it('round-trips a 50 MB transcript', async () => {
    const adapter = createSqlitePersistence({ filename: join(directory, 'big.db') });
    await adapter.createSessionRecord({ sessionId: 'big', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' });
    const big = `${'{"type":"assistant","text":"日本語 🎉"}\n'.repeat(1_300_000)}`;
    await adapter.saveTranscript('big', big);
    expect((await adapter.loadSession('big'))?.rawTranscript === big).toBe(true);
    await adapter.close();
  });
});
