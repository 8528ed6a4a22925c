import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approvalRequestStoreContract, eventLogContract, turnQueueContract } from '@agent-runtime/testkit/contracts';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlitePersistence, type SqlitePersistence } from './index.js';

let directory: string;
let counter = 0;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'persistence-sqlite-durability-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** A fresh file; `reopen` closes the adapter and opens the same file again (a restart). */
function durableSubject<Store>(pick: (adapter: SqlitePersistence) => Store) {
  return async () => {
    counter += 1;
    const filename = join(directory, `durability-${counter}.db`);
    let adapter = createSqlitePersistence({ filename });
    return {
      store: pick(adapter),
      reopen: async () => {
        await adapter.close();
        adapter = createSqlitePersistence({ filename });
        return pick(adapter);
      },
      cleanup: () => adapter.close(),
    };
  };
}

eventLogContract('sqlite', durableSubject((adapter) => adapter.sessionEventLog()));
turnQueueContract('sqlite', durableSubject((adapter) => adapter.turnQueueStore()));
approvalRequestStoreContract('sqlite', durableSubject((adapter) => adapter.approvalRequestStore()));

describe('sqlite durability', () => {
  it('never hands out a seq twice when two processes (two connections) append to one file', async () => {
    const filename = join(directory, 'two-writers.db');
    const first = createSqlitePersistence({ filename });
    const second = createSqlitePersistence({ filename });
    const appended = [];
    for (let round = 0; round < 20; round += 1) {
      const writer = round % 2 === 0 ? first : second;
      appended.push(...(await writer.sessionEventLog().append('s', [{ event: 'session:block:delta', data: { sessionId: 's', conversationId: 'main', blockId: 'b', delta: `${round}` } }])));
    }
    expect(appended.map((event) => event.seq)).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    await first.close();
    await second.close();
  });

  it('stores appended transcript deltas as rows of their own (a sync costs the delta, not the transcript)', async () => {
    const filename = join(directory, 'chunks.db');
    const adapter = createSqlitePersistence({ filename });
    await adapter.createSessionRecord({ sessionId: 's', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' });
    await adapter.appendTranscript('s', 'base\n');
    await adapter.appendTranscript('s', 'one\n');
    await adapter.appendTranscript('s', 'two\n', 'agent-1');
    await adapter.appendTranscript('s', 'three\n', 'agent-1');
    await adapter.close();
    const raw = new BetterSqlite3(filename, { readonly: true });
    expect(raw.prepare('SELECT raw_transcript FROM transcripts').all()).toEqual([{ raw_transcript: 'base\n' }]);
    expect(raw.prepare('SELECT subagent_id, text FROM transcript_chunks ORDER BY chunk_id').all()).toEqual([
      { subagent_id: '', text: 'one\n' },
      { subagent_id: 'agent-1', text: 'three\n' },
    ]);
    raw.close();
  });
  it('refuses a negative or fractional seq or limit with INVALID_INPUT and an unknown turn with NOT_FOUND', async () => {
    const adapter = createSqlitePersistence({ filename: ':memory:' });
    const log = adapter.sessionEventLog();
    await expect(log.read('s', -1)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(log.read('s', 0, 1.5)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(log.trim('s', Number.NaN)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(adapter.turnQueueStore().complete('s', 7, 'completed')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await adapter.close();
  });
});
