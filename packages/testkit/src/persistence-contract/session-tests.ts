import type { SavedSessionData } from '@agent-runtime/core';
import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { comparableFiles, sessionRecord } from './fixtures.js';
import type { PersistenceContractOptions, PersistenceContractSubject } from './subject.js';

const byId = (a: { sessionId: string }, b: { sessionId: string }) => (a.sessionId < b.sessionId ? -1 : 1);

/** Session records: create (an upsert), update (a merge), list, load. */
export function sessionTests(subject: () => PersistenceContractSubject, options: Required<PersistenceContractOptions>): void {
  it('lists no sessions in an empty store', async () => {
    expect(await subject().adapter.listAllSessions()).toEqual([]);
  });

  it('returns null for an unknown session (no throw)', async () => {
    expect(await subject().adapter.loadSession('no-such-session')).toBeNull();
  });

  it('creates a record that lists and loads with every field', async () => {
    const { adapter } = subject();
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    expect(await adapter.listAllSessions()).toEqual([record]);
    const loaded = await adapter.loadSession(record.sessionId);
    expect(loaded).toEqual({ ...record, workspaceFiles: [], subagents: [] } satisfies SavedSessionData);
    expect(loaded?.rawTranscript).toBeUndefined();
  });

  it('keeps a minimal record minimal (optional fields stay absent)', async () => {
    const { adapter } = subject();
    const record = { sessionId: 'minimal', type: 'gemini-cli', agentProfileReference: 'p', status: 'pending' } as const;
    await adapter.createSessionRecord(record);
    const [listed] = await adapter.listAllSessions();
    expect(listed).toEqual(record);
    expect(Object.keys(listed ?? {}).sort()).toEqual(Object.keys(record).sort());
  });

  it('lists records without transcripts, files or subagents', async () => {
    const { adapter } = subject();
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    await adapter.saveTranscript(record.sessionId, '{"type":"user"}\n');
    await adapter.saveTranscript(record.sessionId, 'sub', 'agent-1');
    await adapter.saveWorkspaceFile(record.sessionId, { path: 'a.txt', content: 'a' });
    const [listed] = await adapter.listAllSessions();
    expect(listed).toEqual(record);
    expect(listed).not.toHaveProperty('rawTranscript');
    expect(listed).not.toHaveProperty('workspaceFiles');
    expect(listed).not.toHaveProperty('subagents');
  });

  it('treats a second createSessionRecord as an upsert: record replaced, transcripts and files kept', async () => {
    const { adapter } = subject();
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    await adapter.saveTranscript(record.sessionId, 'transcript');
    await adapter.saveWorkspaceFile(record.sessionId, { path: 'kept.txt', content: 'kept' });
    await adapter.createSessionRecord(record);
    expect(await adapter.listAllSessions()).toEqual([record]);
    const replacement = { ...record, name: 'Renamed', status: 'active' as const, metadata: { only: true } };
    await adapter.createSessionRecord(replacement);
    expect(await adapter.listAllSessions()).toEqual([replacement]);
    const loaded = await adapter.loadSession(record.sessionId);
    expect(loaded?.rawTranscript).toBe('transcript');
    expect(loaded?.workspaceFiles.map((file) => file.path)).toEqual(['kept.txt']);
  });

  it('merges partial updates: changing status keeps name, metadata and timestamps', async () => {
    const { adapter } = subject();
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    await adapter.updateSessionRecord(record.sessionId, { status: 'active' });
    await adapter.updateSessionRecord(record.sessionId, { lastActivity: 1_760_000_000_000 });
    expect(await adapter.listAllSessions()).toEqual([{ ...record, status: 'active', lastActivity: 1_760_000_000_000 }]);
  });

  it('replaces metadata as a whole value and ignores undefined fields in an update', async () => {
    const { adapter } = subject();
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    await adapter.updateSessionRecord(record.sessionId, { metadata: { cost: 0.25 }, name: undefined });
    const [listed] = await adapter.listAllSessions();
    expect(listed).toEqual({ ...record, metadata: { cost: 0.25 } });
  });

  it('never renames a session through updateSessionRecord (a sessionId in the updates is ignored)', async () => {
    const { adapter } = subject();
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    await adapter.updateSessionRecord(record.sessionId, { sessionId: 'other', status: 'inactive' });
    expect(await adapter.loadSession('other')).toBeNull();
    expect((await adapter.loadSession(record.sessionId))?.status).toBe('inactive');
  });

  it('rejects an update of an unknown session with SESSION_NOT_FOUND', async () => {
    await expectCode(subject().adapter.updateSessionRecord('no-such-session', { status: 'active' }), 'SESSION_NOT_FOUND');
    expect(await subject().adapter.listAllSessions()).toEqual([]);
  });

  it('round-trips metadata as JSON (nesting, numbers, booleans, null, unicode)', async () => {
    const { adapter } = subject();
    const metadata = {
      usage: { inputTokens: 1234, outputTokens: 0, cacheRead: 9_007_199_254_740_991 },
      cost: 0.000123,
      negative: -1.5e-7,
      flags: [true, false, null],
      nested: { deeper: { list: [1, 'two', { three: 3 }] } },
      text: 'naïve 日本 🎉 e\u0301 "quoted" \\ backslash \n newline',
      empty: {},
    };
    const record = sessionRecord({ metadata });
    await adapter.createSessionRecord(record);
    expect((await adapter.loadSession(record.sessionId))?.metadata).toEqual(metadata);
    expect((await adapter.listAllSessions())[0]?.metadata).toEqual(metadata);
  });

  it('hands out copies: mutating a returned record changes nothing stored', async () => {
    const { adapter } = subject();
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    const listed = await adapter.listAllSessions();
    (listed[0]!.metadata as Record<string, unknown>).model = 'changed';
    record.name = 'changed after write';
    const loaded = await adapter.loadSession(record.sessionId);
    expect(loaded?.metadata?.model).toBe('claude-sonnet');
    expect(loaded?.name).toBe('Refactor the parser');
  });

  it(`keeps concurrent writes to ${options.concurrentSessions} sessions apart`, async () => {
    const { adapter } = subject();
    const records = Array.from({ length: options.concurrentSessions }, (_, index) =>
      sessionRecord({ sessionId: `concurrent-${String(index).padStart(3, '0')}`, name: `n${index}` }),
    );
    await Promise.all(
      records.map(async (record, index) => {
        await adapter.createSessionRecord(record);
        await Promise.all([
          adapter.saveTranscript(record.sessionId, `transcript ${index}\n`.repeat(index + 1)),
          adapter.saveTranscript(record.sessionId, `subagent of ${index}`, `agent-${index}`),
          adapter.saveWorkspaceFile(record.sessionId, { path: `dir/file-${index}.txt`, content: `content ${index}` }),
          adapter.updateSessionRecord(record.sessionId, { status: 'active' }),
        ]);
      }),
    );
    const listed = (await adapter.listAllSessions()).sort(byId);
    expect(listed).toEqual(records.map((record) => ({ ...record, status: 'active' })));
    const loaded = await Promise.all(records.map((record) => adapter.loadSession(record.sessionId)));
    loaded.forEach((session, index) => {
      expect(session?.rawTranscript).toBe(`transcript ${index}\n`.repeat(index + 1));
      expect(session?.subagents).toEqual([{ id: `agent-${index}`, rawTranscript: `subagent of ${index}` }]);
      expect(comparableFiles(session?.workspaceFiles)).toEqual([
        { path: `dir/file-${index}.txt`, content: `content ${index}`, encoding: 'utf8' },
      ]);
    });
  });
}
