import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { largeTranscript, sessionRecord, sha256 } from './fixtures.js';
import type { PersistenceContractOptions, PersistenceContractSubject } from './subject.js';

/** Raw transcripts: replace semantics, size, unicode, subagents kept apart. */
export function transcriptTests(subject: () => PersistenceContractSubject, options: Required<PersistenceContractOptions>): void {
  async function newSession(): Promise<string> {
    const record = sessionRecord();
    await subject().adapter.createSessionRecord(record);
    return record.sessionId;
  }

  it('saves, replaces and loads the main transcript', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveTranscript(sessionId, '{"n":1}\n');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe('{"n":1}\n');
    await adapter.saveTranscript(sessionId, '{"n":1}\n{"n":2}\n');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe('{"n":1}\n{"n":2}\n');
  });

  it('is idempotent: saving the same transcript twice leaves the same state', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveTranscript(sessionId, 'same');
    const once = await adapter.loadSession(sessionId);
    await adapter.saveTranscript(sessionId, 'same');
    await adapter.saveTranscript(sessionId, 'sub', 'agent-1');
    await adapter.saveTranscript(sessionId, 'sub', 'agent-1');
    const twice = await adapter.loadSession(sessionId);
    expect(twice).toEqual({ ...once, subagents: [{ id: 'agent-1', rawTranscript: 'sub' }] });
  });

  it('round-trips an empty transcript as an empty string', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveTranscript(sessionId, '');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe('');
  });

  it('round-trips unicode exactly (emoji, CJK, combining characters, control characters)', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    const text = '{"text":"日本語 한국어 中文 🎉👩‍👩‍👧 e\u0301 é \u200d \t \r\n \\u0000 \u2028"}\n';
    await adapter.saveTranscript(sessionId, text);
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe(text);
  });

  it(`round-trips a ${Math.round(options.largeTranscriptBytes / 1e6)} MB transcript exactly`, async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    const big = largeTranscript(options.largeTranscriptBytes);
    await adapter.saveTranscript(sessionId, big);
    const loaded = (await adapter.loadSession(sessionId))?.rawTranscript;
    expect(loaded?.length).toBe(big.length);
    expect(sha256(loaded ?? '')).toBe(sha256(big));
  });

  it('keeps subagent transcripts apart from the main one and from each other', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveTranscript(sessionId, 'only a subagent so far', 'agent-a');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBeUndefined();
    await adapter.saveTranscript(sessionId, 'main');
    await adapter.saveTranscript(sessionId, 'b1', 'agent-b');
    await adapter.saveTranscript(sessionId, 'a2', 'agent-a');
    const loaded = await adapter.loadSession(sessionId);
    expect(loaded?.rawTranscript).toBe('main');
    expect([...(loaded?.subagents ?? [])].sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual([
      { id: 'agent-a', rawTranscript: 'a2' },
      { id: 'agent-b', rawTranscript: 'b1' },
    ]);
  });

  it('keeps transcripts of different sessions apart (same subagent ids too)', async () => {
    const { adapter } = subject();
    const first = await newSession();
    const second = await newSession();
    await adapter.saveTranscript(first, 'first');
    await adapter.saveTranscript(first, 'first sub', 'agent-1');
    await adapter.saveTranscript(second, 'second sub', 'agent-1');
    expect(await adapter.loadSession(first)).toMatchObject({ rawTranscript: 'first', subagents: [{ id: 'agent-1', rawTranscript: 'first sub' }] });
    const other = await adapter.loadSession(second);
    expect(other?.rawTranscript).toBeUndefined();
    expect(other?.subagents).toEqual([{ id: 'agent-1', rawTranscript: 'second sub' }]);
  });

  it('rejects a transcript for an unknown session with SESSION_NOT_FOUND', async () => {
    await expectCode(subject().adapter.saveTranscript('no-such-session', 'x'), 'SESSION_NOT_FOUND');
    await expectCode(subject().adapter.saveTranscript('no-such-session', 'x', 'agent-1'), 'SESSION_NOT_FOUND');
    expect(await subject().adapter.loadSession('no-such-session')).toBeNull();
  });

  it('rejects an empty subagent id with INVALID_INPUT', async () => {
    const sessionId = await newSession();
    await expectCode(subject().adapter.saveTranscript(sessionId, 'x', ''), 'INVALID_INPUT');
  });
}
