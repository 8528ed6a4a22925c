import { describe, expect, it } from 'vitest';
import type { AgentArchitecture, AgentTranscripts, PersistenceAdapter, PersistenceExtensions, Sandbox } from '@agent-runtime/core';
import { SecretRedactor } from './secret-redactor.js';
import { TranscriptSync } from './transcript-sync.js';

function setup(options: { append: boolean; secrets?: string[] }) {
  let current: AgentTranscripts = { subagents: [] };
  const calls: string[] = [];
  const architecture = { readTranscripts: async () => current } as unknown as AgentArchitecture;
  const persistence = {
    saveTranscript: async (_sessionId: string, text: string, subagentId?: string) => {
      calls.push(`save ${subagentId ?? 'main'} ${text}`);
    },
    ...(options.append
      ? {
          appendTranscript: async (_sessionId: string, delta: string, subagentId?: string) => {
            calls.push(`append ${subagentId ?? 'main'} ${delta}`);
          },
        }
      : {}),
  } as unknown as PersistenceAdapter & PersistenceExtensions;
  const sync = new TranscriptSync({ sessionId: 's', architecture, persistence, redactor: new SecretRedactor(options.secrets ?? []) });
  const sandbox = {} as Sandbox;
  return {
    sync: () => sync.sync(sandbox),
    remember: (transcripts: AgentTranscripts) => sync.remember(transcripts),
    set: (transcripts: AgentTranscripts) => (current = transcripts),
    calls,
  };
}

describe('TranscriptSync', () => {
  it('does not save an unchanged transcript again (nor one already stored before a restart)', async () => {
    const subject = setup({ append: false });
    subject.remember({ main: 'a\n', subagents: [] });
    subject.set({ main: 'a\n', subagents: [{ id: 'agent-1', rawTranscript: 'x\n' }] });
    await subject.sync();
    await subject.sync();
    expect(subject.calls).toEqual(['save agent-1 x\n']);
  });

  it('stores only the new tail of a transcript that grew when the adapter can append', async () => {
    const subject = setup({ append: true });
    subject.set({ main: 'line 1\n', subagents: [] });
    await subject.sync();
    subject.set({ main: 'line 1\nline 2\n', subagents: [{ id: 'agent-1', rawTranscript: 's1\n' }] });
    await subject.sync();
    subject.set({ main: 'line 1\nline 2\nline 3\n', subagents: [{ id: 'agent-1', rawTranscript: 's1\ns2\n' }] });
    await subject.sync();
    expect(subject.calls).toEqual(['save main line 1\n', 'append main line 2\n', 'save agent-1 s1\n', 'append main line 3\n', 'append agent-1 s2\n']);
  });

  it('saves a rewritten transcript whole (e.g. Gemini replacing its history on resume)', async () => {
    const subject = setup({ append: true });
    subject.set({ main: '{"a":1}\n{"b":2}\n', subagents: [] });
    await subject.sync();
    subject.set({ main: '{"a":1}\n{"b":3}\n{"c":4}\n', subagents: [] });
    await subject.sync();
    subject.set({ main: '{"a":1}\n', subagents: [] });
    await subject.sync();
    expect(subject.calls).toEqual(['save main {"a":1}\n{"b":2}\n', 'save main {"a":1}\n{"b":3}\n{"c":4}\n', 'save main {"a":1}\n']);
  });

  it('saves whole text without appendTranscript, and redacts known secrets before storing', async () => {
    const subject = setup({ append: false, secrets: ['sk-secret-123456'] });
    subject.set({ main: 'key=sk-secret-123456\n', subagents: [] });
    const read = await subject.sync();
    subject.set({ main: 'key=sk-secret-123456\nmore\n', subagents: [] });
    await subject.sync();
    expect(subject.calls).toEqual(['save main key=[REDACTED]\n', 'save main key=[REDACTED]\nmore\n']);
    expect(read.main).toBe('key=[REDACTED]\n');
  });
});
