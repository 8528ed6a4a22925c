import { createHash } from 'node:crypto';
import {
  hasErrorCode,
  type AgentArchitecture,
  type AgentTranscriptFile,
  type AgentTranscripts,
  type PersistenceAdapter,
  type PersistenceExtensions,
  type Sandbox,
} from '@agent-runtime/core';
import type { SecretRedactor } from './secret-redactor.js';

function digest(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

export interface TranscriptSyncOptions {
  sessionId: string;
  architecture: AgentArchitecture;
  persistence: PersistenceAdapter & PersistenceExtensions;
  redactor: SecretRedactor;
}

interface Stored {
  length: number;
  digest: string;
}

/** How far a transcript file was read: bytes consumed, and the bytes just before (to detect a rewrite). */
interface FileCursor {
  offset: number;
  tail: Uint8Array;
}

/** Bytes compared before the cursor to tell a file that grew from one that was rewritten. */
const TAIL_BYTES = 256;
/** Most bytes read from a transcript file in one ranged read. */
const MAX_RANGE_BYTES = 64 * 1024 * 1024;

/**
 * Reads the agent's transcripts from the sandbox and stores what changed, with known secrets
 * redacted. A transcript that only grew (Claude's JSONL; Gemini's session file, whose `$set`
 * lines on resume are appended too) is stored as its new tail through `appendTranscript` when the
 * adapter has it; one that was rewritten or an adapter without it gets `saveTranscript` with the
 * whole text. An unchanged transcript is not written at all.
 */
export class TranscriptSync {
  private readonly stored = new Map<string, Stored>();
  private readonly cursors = new Map<string, FileCursor>();

  constructor(private readonly options: TranscriptSyncOptions) {}

  /**
   * Store what changed, reading only what each transcript file gained since the last sync when
   * the architecture names its files, the sandbox reads ranges and the adapter appends; else
   * as `sync`.
   */
  async syncChanges(sandbox: Sandbox): Promise<void> {
    const { architecture, persistence, sessionId } = this.options;
    if (!architecture.transcriptFiles || !sandbox.readFileRange || !persistence.appendTranscript) {
      await this.sync(sandbox);
      return;
    }
    for (const file of await architecture.transcriptFiles(sandbox, sessionId)) await this.syncFile(sandbox, file);
  }

  /** Remember stored transcripts so an unchanged one is not written again. */
  remember(transcripts: AgentTranscripts): void {
    if (transcripts.main !== undefined) this.note('', transcripts.main);
    for (const subagent of transcripts.subagents) this.note(subagent.id, subagent.rawTranscript);
  }

  /** Store what changed; returns the transcripts read, redacted (for re-parsing). */
  async sync(sandbox: Sandbox): Promise<AgentTranscripts> {
    const read = await this.options.architecture.readTranscripts(sandbox, this.options.sessionId);
    const redactor = this.options.redactor;
    const transcripts: AgentTranscripts = {
      ...(read.main === undefined ? {} : { main: redactor.text(read.main) }),
      subagents: read.subagents.map((subagent) => ({ id: subagent.id, rawTranscript: redactor.text(subagent.rawTranscript) })),
    };
    if (transcripts.main !== undefined) await this.store('', transcripts.main);
    for (const subagent of transcripts.subagents) await this.store(subagent.id, subagent.rawTranscript);
    return transcripts;
  }

  private async syncFile(sandbox: Sandbox, file: AgentTranscriptFile): Promise<void> {
    const key = file.subagentId ?? '';
    const cursor = this.cursors.get(key);
    try {
      if (cursor) {
        const start = Math.max(0, cursor.offset - cursor.tail.byteLength);
        const read = await sandbox.readFileRange!(file.path, start, cursor.offset - start + MAX_RANGE_BYTES, { root: file.root });
        if (sameBytes(read.subarray(0, cursor.offset - start), cursor.tail)) {
          const gained = read.subarray(cursor.offset - start);
          const complete = gained.subarray(0, completeUtf8Length(gained));
          if (complete.byteLength === 0) return;
          const delta = this.options.redactor.text(new TextDecoder().decode(complete));
          await this.options.persistence.appendTranscript!(this.options.sessionId, delta, file.subagentId);
          this.stored.delete(key);
          this.advance(key, cursor, complete);
          return;
        }
      }
      // First read of this file, or it was rewritten: read and store it whole.
      const bytes = await sandbox.readFile(file.path, { root: file.root });
      const complete = bytes.subarray(0, completeUtf8Length(bytes));
      await this.store(key, this.options.redactor.text(new TextDecoder().decode(complete)));
      this.advance(key, { offset: 0, tail: new Uint8Array() }, complete);
    } catch (error) {
      if (hasErrorCode(error, 'FILE_NOT_FOUND')) return; // not written yet
      throw error;
    }
  }

  private advance(key: string, cursor: FileCursor, consumed: Uint8Array): void {
    const joined = new Uint8Array(cursor.tail.byteLength + consumed.byteLength);
    joined.set(cursor.tail);
    joined.set(consumed, cursor.tail.byteLength);
    this.cursors.set(key, { offset: cursor.offset + consumed.byteLength, tail: joined.slice(Math.max(0, joined.byteLength - TAIL_BYTES)) });
  }

  private note(key: string, text: string): void {
    this.stored.set(key, { length: text.length, digest: digest(text) });
  }

  private async store(key: string, text: string): Promise<void> {
    const { persistence, sessionId } = this.options;
    const subagentId = key === '' ? undefined : key;
    const before = this.stored.get(key);
    if (before && before.length === text.length && before.digest === digest(text)) return;
    const grew = before !== undefined && text.length > before.length && digest(text.slice(0, before.length)) === before.digest;
    if (grew && persistence.appendTranscript) {
      await persistence.appendTranscript(sessionId, text.slice(before.length), subagentId);
    } else {
      await persistence.saveTranscript(sessionId, text, subagentId);
    }
    this.note(key, text);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let index = 0; index < a.byteLength; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** Length of `bytes` without a UTF-8 sequence cut off at its end (read again next time). */
export function completeUtf8Length(bytes: Uint8Array): number {
  let start = bytes.byteLength - 1;
  // Walk back over continuation bytes (10xxxxxx) to the lead byte of the last sequence.
  while (start >= 0 && start > bytes.byteLength - 4 && (bytes[start]! & 0xc0) === 0x80) start--;
  if (start < 0) return bytes.byteLength;
  const lead = bytes[start]!;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.byteLength - start >= needed ? bytes.byteLength : start;
}
