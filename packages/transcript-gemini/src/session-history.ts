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
  private order: string[] = [];
  private current = new Map<string, HistoryEntry>();
  /** Every live record ever seen, by id (survives `$set.messages` replacements). */
  private seen = new Map<string, HistoryEntry>();
  runs = 0;

  startRun(): void {
    this.runs += 1;
  }

  upsert(record: GeminiMessageRecord, live: boolean): void {
    const entry: HistoryEntry = { record, run: live ? this.runs : (this.seen.get(record.id)?.run ?? 0) };
    if (live) this.seen.set(record.id, entry);
    if (!this.current.has(record.id)) this.order.push(record.id);
    this.current.set(record.id, entry);
  }

  replace(messages: GeminiMessageRecord[]): void {
    this.order = [];
    this.current = new Map();
    for (const message of messages) {
      const live = this.seen.get(message.id);
      if (live) {
        const merged = { ...message, ...live.record };
        this.current.set(message.id, { record: merged, run: live.run });
        this.order.push(message.id);
      } else {
        this.upsert(message, false);
      }
    }
  }

  rewindTo(messageId: string): void {
    const index = this.order.indexOf(messageId);
    const removed = index === -1 ? this.order : this.order.slice(index);
    for (const id of removed) this.current.delete(id);
    this.order = index === -1 ? [] : this.order.slice(0, index);
  }

  entries(): HistoryEntry[] {
    const result: HistoryEntry[] = [];
    for (const id of this.order) {
      const entry = this.current.get(id);
      if (entry) result.push(entry);
    }
    return result;
  }
}
