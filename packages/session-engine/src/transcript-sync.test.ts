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

describe('TranscriptSync.syncChanges (ranged reads)', () => {
  function rangedSetup() {
    const file = { bytes: new Uint8Array() };
    const reads: string[] = [];
    const calls: string[] = [];
    const sandbox = {
      readFile: async () => {
        reads.push('whole');
        return file.bytes;
      },
      readFileRange: async (_path: string, offset: number, length: number) => {
        reads.push(`range ${offset}`);
        return file.bytes.subarray(offset, offset + length);
      },
    } as unknown as Sandbox;
    const architecture = {
      transcriptFiles: async () => [{ path: 'session.jsonl', root: 'home' }],
      readTranscripts: async () => ({ main: new TextDecoder().decode(file.bytes), subagents: [] }),
    } as unknown as AgentArchitecture;
    const persistence = {
      saveTranscript: async (_sessionId: string, text: string) => void calls.push(`save ${text}`),
      appendTranscript: async (_sessionId: string, delta: string) => void calls.push(`append ${delta}`),
    } as unknown as PersistenceAdapter & PersistenceExtensions;
    const sync = new TranscriptSync({ sessionId: 's', architecture, persistence, redactor: new SecretRedactor(['sk-secret-123456']) });
    const write = (text: string) => (file.bytes = new TextEncoder().encode(text));
    return { sync: () => sync.syncChanges(sandbox), write, reads, calls, file };
  }

  it('reads only what the file gained, and appends just that', async () => {
    const subject = rangedSetup();
    subject.write('{"a":1}\n');
    await subject.sync();
    subject.write('{"a":1}\n{"b":2}\n');
    await subject.sync();
    await subject.sync(); // nothing new
    expect(subject.calls).toEqual(['save {"a":1}\n', 'append {"b":2}\n']);
    expect(subject.reads).toEqual(['whole', 'range 0', 'range 0']);
  });

  it('a rewritten file is read and stored whole; a UTF-8 character cut at the end waits for the next read; secrets are redacted', async () => {
    const subject = rangedSetup();
    subject.write('{"a":1}\n');
    await subject.sync();
    subject.write('{"x":9}\n{"y":8}\n'); // rewritten (same length start, other bytes)
    await subject.sync();
    const euro = new TextEncoder().encode('€'); // 3 bytes
    const grown = new TextEncoder().encode('{"x":9}\n{"y":8}\nkey sk-secret-123456 ');
    subject.file.bytes = new Uint8Array([...grown, ...euro.subarray(0, 2)]);
    await subject.sync();
    subject.file.bytes = new Uint8Array([...grown, ...euro, 10]);
    await subject.sync();
    expect(subject.calls).toEqual(['save {"a":1}\n', 'save {"x":9}\n{"y":8}\n', 'append key [REDACTED] ', 'append €\n']);
  });
});
