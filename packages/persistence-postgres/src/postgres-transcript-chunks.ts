import { checkSubagentId } from '@agent-runtime/core';
import type { PoolClient } from 'pg';
import type { PostgresContext } from './postgres-runner.js';

/** The chunk key of the main transcript (subagent ids are never empty). */
const MAIN = '';

/**
 * `appendTranscript`, one statement: the first text of a transcript becomes its row in
 * `transcripts` / `subagent_transcripts`; later deltas only touch that row (which locks it, so
 * appends and `saveTranscript` of one transcript queue behind each other; the large text is not
 * rewritten — an unchanged TOASTed value is kept as is) and go to `transcript_chunks`. A sync
 * costs the size of its delta. An unknown session is a foreign-key violation: SESSION_NOT_FOUND.
 */
export function createPostgresTranscriptAppend({ pool, s, run }: PostgresContext) {
  const mainSql = `
    WITH base AS (
      INSERT INTO ${s}.transcripts (session_id, raw_transcript) VALUES ($1, $2)
      ON CONFLICT (session_id) DO UPDATE SET updated_at = now()
      RETURNING (xmax = 0) AS inserted
    )
    INSERT INTO ${s}.transcript_chunks (session_id, subagent_id, text)
    SELECT $1, '', $2 FROM base WHERE NOT base.inserted AND $2 <> ''`;
  const subagentSql = `
    WITH base AS (
      INSERT INTO ${s}.subagent_transcripts (session_id, subagent_id, raw_transcript) VALUES ($1, $3, $2)
      ON CONFLICT (session_id, subagent_id) DO UPDATE SET updated_at = now()
      RETURNING (xmax = 0) AS inserted
    )
    INSERT INTO ${s}.transcript_chunks (session_id, subagent_id, text)
    SELECT $1, $3, $2 FROM base WHERE NOT base.inserted AND $2 <> ''`;

  return async (sessionId: string, delta: string, subagentId?: string): Promise<void> => {
    checkSubagentId(subagentId);
    const text = String(delta);
    await run(
      'appendTranscript',
      () => (subagentId === undefined ? pool.query(mainSql, [sessionId, text]) : pool.query(subagentSql, [sessionId, text, subagentId])),
      sessionId,
    );
  };
}

/** Appended chunks of one session's transcripts, joined: key `''` is the main transcript. */
export async function appendedChunks(client: PoolClient, s: string, sessionId: string): Promise<Map<string, string>> {
  const rows = await client.query<{ subagent_id: string; text: string }>(
    `SELECT subagent_id, string_agg(text, '' ORDER BY chunk_id) AS text FROM ${s}.transcript_chunks WHERE session_id = $1 GROUP BY subagent_id`,
    [sessionId],
  );
  return new Map(rows.rows.map((row) => [row.subagent_id, row.text]));
}

/** `saveTranscript` replaces the whole text: the chunks appended after the old base go. */
export async function dropAppendedChunks(client: PoolClient, s: string, sessionId: string, subagentId?: string): Promise<void> {
  await client.query(`DELETE FROM ${s}.transcript_chunks WHERE session_id = $1 AND subagent_id = $2`, [sessionId, subagentId ?? MAIN]);
}
