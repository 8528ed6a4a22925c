import type { GeminiMessageRecord } from './gemini-session-schema.js';
import type { MappedMessage } from './map-gemini-message.js';

/** A message of the reconstructed history, with the CLI run whose live record last wrote it. */
export interface HistoryEntry {
  id: string;
  /**
   * The current record. Undefined once it has been mapped early (`mapped`) and can be read back
   * from `line` (see {@link SessionHistory.settle}); use {@link recordOf} to get it.
   */
  record: GeminiMessageRecord | undefined;
  /** The JSONL line the current record was parsed from, when it came from one. */
  line: string | undefined;
  /** The current record's blocks without position-dependent ids, when they could be mapped early. */
  mapped: MappedMessage | undefined;
  /** Index (1-based) of the header/CLI run during which a live record wrote it; 0 when unknown. */
  run: number;
}

interface StoredEntry extends HistoryEntry {
  /** Whether the entry is in the current history. */
  current: boolean;
  /** The latest live record (or the line it came from, once the record was released). */
  live: GeminiMessageRecord | undefined;
  liveLine: string | undefined;
}

/**
 * Maps a record early, without knowing its place in the history; returns undefined when the
 * mapping needs context (a missing timestamp, tool calls only known from `functionCall` parts).
 */
export type EarlyMapper = (record: GeminiMessageRecord) => MappedMessage | undefined;

/**
 * The session's message history as the CLI would load it: upserts by id, `$set.messages`
 * replacing the list, `$rewindTo` truncating it.
 *
 * One deliberate difference: when `$set.messages` brings back a message we have seen as a live
 * record, the live record's fields win. The CLI rewrites the history on resume in a poorer form
 * (`Part[]` content, no thoughts, tool-call metadata, tokens, and fresh timestamps); keeping the
 * live record keeps block content and timestamps stable across resumes.
 *
 * Memory: a long session is mostly live records, each upserted a few times in a row. Once the
 * parser moves on to another message, the previous one is mapped (`earlyMapper`) and its parsed
 * record released; its JSONL line (a cheap slice of the input) is kept in case a resume or a
 * fallback needs the record again. So the parse keeps blocks, not blocks plus raw records.
 */
export class SessionHistory {
  /** Current history, in order. */
  private order: StoredEntry[] = [];
  /** Every message ever seen, by id; `current` tells whether it is in `order`. */
  private byId = new Map<string, StoredEntry>();
  /** The entry the last live record wrote; mapped and released once another entry is written. */
  private pending: StoredEntry | undefined;
  runs = 0;

  constructor(private readonly earlyMapper?: EarlyMapper) {}

  startRun(): void {
    this.runs += 1;
  }

  /** Upserts a message; `line` is the JSONL line a live record was parsed from. */
  upsert(record: GeminiMessageRecord, live: boolean, line?: string): void {
    const slimmed = slim(record);
    // Live records are mostly upserted a few times in a row: skip the map lookup then.
    let entry = this.pending !== undefined && this.pending.id === record.id ? this.pending : this.byId.get(record.id);
    if (entry) {
      entry.record = slimmed;
      entry.line = live ? line : undefined;
      entry.mapped = undefined;
      if (live) {
        entry.live = slimmed;
        entry.liveLine = line;
        entry.run = this.runs;
      }
      if (!entry.current) {
        entry.current = true;
        this.order.push(entry);
      }
    } else {
      entry = {
        id: record.id,
        record: slimmed,
        line: live ? line : undefined,
        mapped: undefined,
        run: live ? this.runs : 0,
        current: true,
        live: live ? slimmed : undefined,
        liveLine: live ? line : undefined,
      };
      this.byId.set(record.id, entry);
      this.order.push(entry);
    }
    if (live && line !== undefined) {
      if (this.pending !== undefined && this.pending !== entry) this.settle(this.pending);
      this.pending = entry;
    }
  }

  replace(messages: GeminiMessageRecord[]): void {
    for (const entry of this.order) entry.current = false;
    this.order = [];
    for (const message of messages) {
      const known = this.byId.get(message.id);
      if (known !== undefined && (known.live !== undefined || known.liveLine !== undefined)) {
        if (known.current) continue;
        known.record = { ...message, ...liveRecordOf(known) };
        known.line = undefined;
        known.mapped = undefined;
        known.current = true;
        this.order.push(known);
      } else {
        this.upsert(message, false);
      }
    }
  }

  rewindTo(messageId: string): void {
    const index = this.order.findIndex((entry) => entry.id === messageId);
    const removed = index === -1 ? this.order : this.order.slice(index);
    for (const entry of removed) entry.current = false;
    this.order = index === -1 ? [] : this.order.slice(0, index);
  }

  /** The current history, in order (the array is the history's own: read it, don't change it). */
  entries(): readonly HistoryEntry[] {
    return this.order;
  }

  /** Maps an entry early and releases its parsed record when its line can give it back. */
  private settle(entry: StoredEntry): void {
    if (entry.mapped !== undefined || entry.record === undefined || entry.line === undefined || !this.earlyMapper) return;
    const mapped = this.earlyMapper(entry.record);
    if (mapped === undefined) return;
    entry.mapped = mapped;
    if (entry.live === entry.record && entry.liveLine === entry.line) entry.live = undefined;
    entry.record = undefined;
  }
}

/** The entry's current record, parsed again from its line if it was released. */
export function recordOf(entry: HistoryEntry): GeminiMessageRecord {
  if (entry.record !== undefined) return entry.record;
  return slim(JSON.parse(entry.line!) as GeminiMessageRecord);
}

function liveRecordOf(entry: StoredEntry): GeminiMessageRecord {
  if (entry.live !== undefined) return entry.live;
  return slim(JSON.parse(entry.liveLine!) as GeminiMessageRecord);
}

/**
 * Drops what blocks never use (tool calls' `resultDisplay`, which holds whole file contents and
 * diffs), so a long session keeps less in memory while it is parsed. The record is the parser's
 * own fresh `JSON.parse` result, so it is changed in place (keeping object shapes stable).
 */
function slim(record: GeminiMessageRecord): GeminiMessageRecord {
  const calls = record.toolCalls;
  if (!Array.isArray(calls)) return record;
  for (const call of calls) {
    if (call !== null && typeof call === 'object' && call.resultDisplay !== undefined) call.resultDisplay = undefined;
  }
  return record;
}
