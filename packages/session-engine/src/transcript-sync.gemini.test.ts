import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentProfile, AgentTranscripts, PersistenceAdapter, PersistenceExtensions, Sandbox } from '@agent-runtime/core';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretRedactor } from './secret-redactor.js';
import { TranscriptSync } from './transcript-sync.js';

/** What the sync asked of the sandbox: bytes returned by ranged reads and whole reads. */
interface ReadCounts {
  rangeBytes: number;
  wholeReads: number;
}

/** The sandbox, counting what `readFileRange` and `readFile` return. */
function counting(sandbox: Sandbox, counts: ReadCounts): Sandbox {
  return new Proxy(sandbox, {
    get(target, key, receiver) {
      if (key === 'readFileRange') {
        return async (...args: Parameters<NonNullable<Sandbox['readFileRange']>>) => {
          const bytes = await target.readFileRange!(...args);
          counts.rangeBytes += bytes.byteLength;
          return bytes;
        };
      }
      if (key === 'readFile') {
        return async (...args: Parameters<Sandbox['readFile']>) => {
          counts.wholeReads++;
          return target.readFile(...args);
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** An adapter holding transcripts in memory, with the optional `appendTranscript`. */
function appendingStore() {
  const texts = new Map<string, string>();
  const calls: string[] = [];
  const persistence = {
    saveTranscript: async (_sessionId: string, text: string, subagentId?: string) => {
      calls.push(`save ${subagentId ?? 'main'}`);
      texts.set(subagentId ?? '', text);
    },
    appendTranscript: async (_sessionId: string, delta: string, subagentId?: string) => {
      calls.push(`append ${subagentId ?? 'main'}`);
      texts.set(subagentId ?? '', (texts.get(subagentId ?? '') ?? '') + delta);
    },
  } as unknown as PersistenceAdapter & PersistenceExtensions;
  const transcripts = (): AgentTranscripts => ({
    ...(texts.has('') ? { main: texts.get('')! } : {}),
    subagents: [...texts].filter(([id]) => id !== '').map(([id, rawTranscript]) => ({ id, rawTranscript })),
  });
  return { persistence, texts, calls, transcripts };
}

/** Gemini CLI 0.61.0 for real: its session file is synced incrementally, across a resume in a new sandbox. */
describe('TranscriptSync with the real Gemini CLI', () => {
  let server: ModelServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-gemsync-'));
  const sandboxes: Sandbox[] = [];
  const profile: AgentProfile = { id: 'p', name: 'p' };

  beforeAll(async () => {
    server = await startModelServer();
  });
  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores the session file byte for byte, reading only what it gained, across two turns and a resume', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'First' }, reply: { text: ['One.'] } },
        { match: { lastUserText: 'Second' }, reply: { thinking: ['**Plan** write'], text: ['Writing.'], toolCalls: [{ name: 'write_file', input: { file_path: 'a.txt', content: 'a\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Written.'] } },
        { match: { lastUserText: 'Third' }, reply: { text: ['Three.'] } },
      ],
    });
    const sessionId = 'gemsync-1';
    const architecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model' });
    const provider = createLocalSandboxProvider({ dataDir });
    const store = appendingStore();
    const sync = new TranscriptSync({ sessionId, architecture, persistence: store.persistence, redactor: new SecretRedactor([]) });
    const counts: ReadCounts = { rangeBytes: 0, wholeReads: 0 };
    const open = async (transcripts?: AgentTranscripts) => {
      const sandbox = await provider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
      sandboxes.push(sandbox);
      await architecture.prepare({ sessionId, sandbox, profile, ...(transcripts ? { transcripts } : {}) });
      return sandbox;
    };
    const turn = async (sandbox: Sandbox, message: string) => {
      let end;
      for await (const event of architecture.runTurn({ sessionId, sandbox, profile, message, turnId: message, signal: new AbortController().signal })) end = event;
      expect(end).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    };
    /** The CLI's main session file on the host, and its size. */
    const cliFile = async (sandbox: Sandbox) => {
      const [main] = await architecture.transcriptFiles!(sandbox, sessionId);
      const path = join(sandbox.homePath, main!.path);
      return { relative: main!.path, text: readFileSync(path, 'utf8'), size: statSync(path).size };
    };
    const syncCounted = async (sandbox: Sandbox) => {
      counts.rangeBytes = 0;
      counts.wholeReads = 0;
      await sync.syncChanges(counting(sandbox, counts));
    };

    const first = await open();
    await turn(first, 'First');
    await syncCounted(first);
    const afterFirst = await cliFile(first);
    expect(store.texts.get('')).toBe(afterFirst.text);
    expect(counts).toEqual({ rangeBytes: 0, wholeReads: 1 }); // first sight: read whole

    await turn(first, 'Second');
    await syncCounted(first);
    const afterSecond = await cliFile(first);
    expect(afterSecond.relative).toBe(afterFirst.relative);
    expect(afterSecond.text.startsWith(afterFirst.text)).toBe(true); // the file only grew
    expect(store.texts.get('')).toBe(afterSecond.text);
    // Only the gained bytes, plus the compared tail (256 bytes) before the cursor.
    expect(counts).toEqual({ rangeBytes: afterSecond.size - afterFirst.size + 256, wholeReads: 0 });
    await first.terminate();

    // Resume in a new sandbox from what was stored: the CLI continues the restored file.
    const second = await open(store.transcripts());
    const restored = await cliFile(second);
    expect(restored.text).toBe(afterSecond.text);
    await turn(second, 'Third');
    const afterThird = await cliFile(second);
    expect(afterThird.relative).toBe(restored.relative);
    expect(afterThird.text.startsWith(restored.text)).toBe(true); // the resume appended (incl. its `$set`)
    await syncCounted(second);
    expect(store.texts.get('')).toBe(afterThird.text);
    expect(counts).toEqual({ rangeBytes: afterThird.size - restored.size + 256, wholeReads: 0 });
    expect(store.calls).toEqual(['save main', 'append main', 'append main']);
    const contents = JSON.stringify((server.generationRequests('gemini').at(-1)!.body as { contents: unknown }).contents);
    expect(contents).toContain('First');
    expect(contents).toContain('functionResponse');
  });
});
