import type { GeminiMessageRecord } from './gemini-session-schema.js';

/** A message of the reconstructed history, with the CLI run whose live record last wrote it. */
export interface HistoryEntry {
  record: GeminiMessageRecord;
  /** Index (1-based) of the header/CLI run during which a live record wrote it; 0 when unknown. */
  run: number;
}

/**
 * The session's message history as the CLI would load it: upserts by id, `$set.messages`
 * replacing the list, `$rewindTo` truncating it.
 *
 * One deliberate difference: when `$set.messages` brings back a message we have seen as a live
 * record, the live record's fields win. The CLI rewrites the history on resume in a poorer form
 * (`Part[]` content, no thoughts, tool-call metadata, tokens, and fresh timestamps); keeping the
 * live record keeps block content and timestamps stable across resumes.
 */
export class SessionHistory {
  /** Current history, in order. */
  private order: string[] = [];
  /** Every message ever seen, by id; `current` tells whether it is in `order`. */
  private byId = new Map<string, HistoryEntry & { current: boolean; live?: GeminiMessageRecord }>();
  runs = 0;

  startRun(): void {
    this.runs += 1;
  }

  upsert(record: GeminiMessageRecord, live: boolean): void {
    const slimmed = slim(record);
    const known = this.byId.get(record.id);
    if (known) {
      known.record = slimmed;
      if (live) {
        known.live = slimmed;
        known.run = this.runs;
      }
      if (!known.current) {
        known.current = true;
        this.order.push(record.id);
      }
      return;
    }
    this.byId.set(record.id, live ? { record: slimmed, run: this.runs, current: true, live: slimmed } : { record: slimmed, run: 0, current: true });
    this.order.push(record.id);
  }

  replace(messages: GeminiMessageRecord[]): void {
    for (const id of this.order) {
      const entry = this.byId.get(id);
      if (entry) entry.current = false;
    }
    this.order = [];
    for (const message of messages) {
      const known = this.byId.get(message.id);
      if (known?.live) {
        if (known.current) continue;
        known.record = { ...message, ...known.live };
        known.current = true;
        this.order.push(message.id);
      } else {
        this.upsert(message, false);
      }
    }
  }

  rewindTo(messageId: string): void {
    const index = this.order.indexOf(messageId);
    const removed = index === -1 ? this.order : this.order.slice(index);
    for (const id of removed) {
      const entry = this.byId.get(id);
      if (entry) entry.current = false;
    }
    this.order = index === -1 ? [] : this.order.slice(0, index);
  }

  entries(): HistoryEntry[] {
    const result: HistoryEntry[] = [];
    for (const id of this.order) {
      const entry = this.byId.get(id);
      if (entry) result.push(entry);
    }
    return result;
  }
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
