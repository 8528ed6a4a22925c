import { checkSubagentId, sessionNotFoundError } from '@agent-runtime/core';
import type { Database } from 'better-sqlite3';
import { statementCache, type SqliteRunner } from './sqlite-runner.js';

/** The chunk key of the main transcript (subagent ids are never empty). */
const MAIN = '';

const statements = statementCache((db: Database) => ({
  session: db.prepare<[string]>('SELECT 1 FROM sessions WHERE session_id = ?'),
  mainBase: db.prepare<[string]>('SELECT 1 FROM transcripts WHERE session_id = ?'),
  subagentBase: db.prepare<[string, string]>('SELECT 1 FROM subagent_transcripts WHERE session_id = ? AND subagent_id = ?'),
  insertMain: db.prepare<[string, string, number]>('INSERT INTO transcripts (session_id, raw_transcript, updated_at) VALUES (?, ?, ?)'),
  insertSubagent: db.prepare<[string, string, string, number]>(
    'INSERT INTO subagent_transcripts (session_id, subagent_id, raw_transcript, updated_at) VALUES (?, ?, ?, ?)',
  ),
  insertChunk: db.prepare<[string, string, string]>('INSERT INTO transcript_chunks (session_id, subagent_id, text) VALUES (?, ?, ?)'),
  chunks: db.prepare<[string], { subagent_id: string; text: string }>(
    'SELECT subagent_id, text FROM transcript_chunks WHERE session_id = ? ORDER BY subagent_id, chunk_id',
  ),
  deleteChunks: db.prepare<[string, string]>('DELETE FROM transcript_chunks WHERE session_id = ? AND subagent_id = ?'),
}));

/**
 * `appendTranscript`: the first text of a transcript becomes its row in `transcripts` /
 * `subagent_transcripts`; later deltas go to `transcript_chunks`, so a sync costs the size of the
 * delta, not of the transcript. The base row is not touched (SQLite rewrites a whole row, overflow
 * pages included, on any UPDATE: bumping `updated_at` would cost the transcript's size again).
 * `loadSession` concatenates (see `appendedChunks`).
 */
export function createSqliteTranscriptAppend(run: SqliteRunner) {
  return async (sessionId: string, delta: string, subagentId?: string): Promise<void> => {
    checkSubagentId(subagentId);
    const text = String(delta);
    await run('appendTranscript', (db) =>
      db
        .transaction(() => {
          const statement = statements(db);
          if (!statement.session.get(sessionId)) throw sessionNotFoundError(sessionId);
          const now = Date.now();
          if (subagentId === undefined) {
            if (!statement.mainBase.get(sessionId)) return statement.insertMain.run(sessionId, text, now);
          } else if (!statement.subagentBase.get(sessionId, subagentId)) {
            return statement.insertSubagent.run(sessionId, subagentId, text, now);
          }
          if (text.length > 0) statement.insertChunk.run(sessionId, subagentId ?? MAIN, text);
          return undefined;
        })
        .immediate(),
    );
  };
}

/** Appended chunks of one session's transcripts, joined: key `''` is the main transcript. */
export function appendedChunks(db: Database, sessionId: string): Map<string, string> {
  const parts = new Map<string, string[]>();
  for (const row of statements(db).chunks.iterate(sessionId) as IterableIterator<{ subagent_id: string; text: string }>) {
    const list = parts.get(row.subagent_id);
    if (list) list.push(row.text);
    else parts.set(row.subagent_id, [row.text]);
  }
  return new Map([...parts].map(([key, list]) => [key, list.join('')]));
}

/** `saveTranscript` replaces the whole text: the chunks appended after the old base go. */
export function dropAppendedChunks(db: Database, sessionId: string, subagentId?: string): void {
  statements(db).deleteChunks.run(sessionId, subagentId ?? MAIN);
}
