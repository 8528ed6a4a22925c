import type { PersistenceAdapter, PersistenceExtensions } from '@agent-runtime/core';
import { expect, it, type TestContext } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { largeTranscript, sessionRecord, sha256 } from './fixtures.js';
import type { PersistenceContractOptions, PersistenceContractSubject } from './subject.js';

type Append = NonNullable<PersistenceExtensions['appendTranscript']>;

/**
 * The optional `appendTranscript`: skipped for an adapter without it. Appends land after the
 * stored text, `loadSession` returns the whole transcript, `saveTranscript` still replaces.
 */
export function appendTranscriptTests(subject: () => PersistenceContractSubject, options: Required<PersistenceContractOptions>): void {
  const appender = (context: TestContext): { adapter: PersistenceAdapter; append: Append } => {
    const adapter = subject().adapter as PersistenceAdapter & PersistenceExtensions;
    if (typeof adapter.appendTranscript !== 'function') context.skip();
    return { adapter, append: adapter.appendTranscript!.bind(adapter) };
  };
  async function newSession(adapter: PersistenceAdapter): Promise<string> {
    const record = sessionRecord();
    await adapter.createSessionRecord(record);
    return record.sessionId;
  }

  it('appends deltas after the saved transcript and loads the whole text', async (context) => {
    const { adapter, append } = appender(context);
    const sessionId = await newSession(adapter);
    await append(sessionId, '{"n":1}\n');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe('{"n":1}\n');
    await append(sessionId, '{"n":2,"t":"日本語 🎉"}\n');
    await append(sessionId, '');
    await append(sessionId, '{"n":3}\n');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe('{"n":1}\n{"n":2,"t":"日本語 🎉"}\n{"n":3}\n');
  });

  it('lets saveTranscript replace an appended transcript, and appends after the replacement', async (context) => {
    const { adapter, append } = appender(context);
    const sessionId = await newSession(adapter);
    await adapter.saveTranscript(sessionId, 'base\n');
    await append(sessionId, 'one\n');
    await adapter.saveTranscript(sessionId, 'rewritten\n');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe('rewritten\n');
    await append(sessionId, 'two\n');
    expect((await adapter.loadSession(sessionId))?.rawTranscript).toBe('rewritten\ntwo\n');
  });

  it('keeps appended subagent transcripts apart from the main one and from each other', async (context) => {
    const { adapter, append } = appender(context);
    const sessionId = await newSession(adapter);
    await append(sessionId, 'a1', 'agent-a');
    await append(sessionId, 'main');
    await append(sessionId, 'b1', 'agent-b');
    await append(sessionId, 'a2', 'agent-a');
    const loaded = await adapter.loadSession(sessionId);
    expect(loaded?.rawTranscript).toBe('main');
    expect([...(loaded?.subagents ?? [])].sort((x, y) => (x.id < y.id ? -1 : 1))).toEqual([
      { id: 'agent-a', rawTranscript: 'a1a2' },
      { id: 'agent-b', rawTranscript: 'b1' },
    ]);
  });

  it(`appends onto a ${Math.round(options.largeTranscriptBytes / 1e6)} MB transcript exactly`, async (context) => {
    const { adapter, append } = appender(context);
    const sessionId = await newSession(adapter);
    const big = largeTranscript(options.largeTranscriptBytes);
    await adapter.saveTranscript(sessionId, big);
    const deltas = Array.from({ length: 20 }, (_, index) => `{"delta":${index},"t":"e\u0301"}\n`);
    for (const delta of deltas) await append(sessionId, delta);
    expect(sha256((await adapter.loadSession(sessionId))?.rawTranscript ?? '')).toBe(sha256(big + deltas.join('')));
  });

  it('rejects an append for an unknown session with SESSION_NOT_FOUND and an empty subagent id with INVALID_INPUT', async (context) => {
    const { adapter, append } = appender(context);
    await expectCode(append('no-such-session', 'x'), 'SESSION_NOT_FOUND');
    await expectCode(append('no-such-session', 'x', 'agent-1'), 'SESSION_NOT_FOUND');
    await expectCode(append(await newSession(adapter), 'x', ''), 'INVALID_INPUT');
  });
}
