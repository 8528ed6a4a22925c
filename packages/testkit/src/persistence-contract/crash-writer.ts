import { randomBytes, randomInt } from 'node:crypto';
import type { PersistenceAdapter, WorkspaceFile } from '@agent-runtime/core';
import { sha256 } from './fixtures.js';
import { printLine } from '../contract-helpers/print-line.js';

/**
 * One line of the crash-writer protocol, printed as JSON on stdout. An `intent` precedes each
 * write; its `ack` is printed only after the write's promise has resolved. Keys name what was
 * written: `session:<id>`, `transcript:<id>`, `subagent:<id>:<subagentId>`, `file:<id>:<path>`.
 */
export type CrashWriterLine =
  | { t: 'ready' }
  | { t: 'intent'; seq: number; key: string; sha: string }
  | { t: 'ack'; seq: number };

export interface CrashWriterOptions {
  sessionId: string;
  /** Stops after this many loop iterations; runs until killed by default. */
  iterations?: number;
  /** Where protocol lines go; stdout by default (synchronous for pipes on Linux). */
  print?: (line: string) => void | Promise<void>;
}

/** The checksum the crash test compares: content and encoding of a file, or a transcript. */
export function crashChecksum(content: string, encoding?: string): string {
  return sha256(`${encoding ?? 'utf8'}:${content}`);
}

function randomText(maxBytes: number): string {
  return `${randomBytes(randomInt(16, maxBytes)).toString('base64')} 日本語 🎉 e\u0301\n`;
}

/**
 * The child side of the SIGKILL test: writes a session's transcripts and files in a loop through
 * `adapter`, announcing each write before it starts and acknowledging it once it has returned.
 */
export async function runCrashWriter(adapter: PersistenceAdapter, options: CrashWriterOptions): Promise<void> {
  const print = options.print ?? printLine;
  const { sessionId } = options;
  let seq = 0;
  const write = async (key: string, sha: string, action: () => Promise<void>) => {
    seq += 1;
    await print(JSON.stringify({ t: 'intent', seq, key, sha } satisfies CrashWriterLine));
    await action();
    await print(JSON.stringify({ t: 'ack', seq } satisfies CrashWriterLine));
  };
  const saveFile = (file: WorkspaceFile) =>
    write(`file:${sessionId}:${file.path}`, crashChecksum(file.content, file.encoding), () => adapter.saveWorkspaceFile(sessionId, file));

  await write(`session:${sessionId}`, '', () =>
    adapter.createSessionRecord({ sessionId, type: 'claude-agent-sdk', agentProfileReference: 'crash', status: 'active', createdAt: Date.now() }),
  );
  await print(JSON.stringify({ t: 'ready' } satisfies CrashWriterLine));
  let transcript = '';
  for (let iteration = 0; iteration < (options.iterations ?? Number.POSITIVE_INFINITY); iteration += 1) {
    transcript += randomText(64 * 1024);
    const snapshot = transcript;
    await write(`transcript:${sessionId}`, crashChecksum(snapshot), () => adapter.saveTranscript(sessionId, snapshot));
    if (iteration % 3 === 0) {
      const subagentId = `agent-${iteration % 2}`;
      const text = randomText(32 * 1024);
      await write(`subagent:${sessionId}:${subagentId}`, crashChecksum(text), () => adapter.saveTranscript(sessionId, text, subagentId));
    }
    await saveFile(
      iteration % 4 === 0
        ? { path: `files/${iteration}.bin`, content: randomBytes(randomInt(1, 8192)).toString('base64'), encoding: 'base64' }
        : { path: `files/${iteration}.txt`, content: randomText(8192) },
    );
    await saveFile({ path: 'state.json', content: JSON.stringify({ iteration, at: Date.now() }) });
  }
}
