import { AgentRuntimeError, type AnyServerEvent, type LoggedSessionEvent, type SessionEventLog } from '@agent-runtime/core';
import type { PostgresContext } from './postgres-runner.js';

function checkSeq(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AgentRuntimeError('INVALID_INPUT', `${name} must be a non-negative integer.`, { details: { field: name } });
  }
}

export interface PostgresEventLogOptions {
  /**
   * `'synchronous'` (default): an append resolves once its commit is flushed to the server's WAL
   * on disk. `'asynchronous'`: appends commit with `synchronous_commit = off` — still safe when the
   * runtime crashes (the server has the commit), but a crash of the PostgreSQL server itself can
   * lose the last ~0.6 s of appends, whose seqs are then handed out again. Nothing else changes.
   */
  commit?: 'synchronous' | 'asynchronous';
}

/**
 * The durable `SessionEventLog` on PostgreSQL. `append` is one statement (so one transaction and
 * one round trip): it advances the session's head row — an upsert, which takes the row lock, so
 * concurrent appenders to one session queue behind each other, on any number of connections or
 * processes — and inserts the batch at the seqs it reserved. `latest_seq` lives in that row, so
 * it never goes down after trim, discard or a restart.
 *
 * Fencing (many nodes): the head upsert is the place for it — add the owner's token to the row and
 * a `WHERE` on `DO UPDATE`; a fenced appender then reserves nothing and inserts nothing.
 */
export function createPostgresEventLog({ pool, s, run }: PostgresContext, options: PostgresEventLogOptions = {}): SessionEventLog {
  // set_config(..., true) is SET LOCAL: it applies to this statement's own transaction only.
  const commit = options.commit === 'asynchronous' ? `, (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous` : '';
  const appendSql = `
    WITH head AS (
      INSERT INTO ${s}.event_log_heads AS h (session_id, latest_seq) VALUES ($1, $2::bigint)
      ON CONFLICT (session_id) DO UPDATE SET latest_seq = h.latest_seq + excluded.latest_seq
      RETURNING latest_seq
    )
    INSERT INTO ${s}.event_log (session_id, seq, event)
    SELECT $1, head.latest_seq - $2::bigint + e.ord, e.event FROM head${commit}, unnest($3::text[]) WITH ORDINALITY AS e (event, ord)
    RETURNING seq`;

  return {
    append: (sessionId, events) =>
      run('eventLog.append', async (): Promise<LoggedSessionEvent[]> => {
        if (events.length === 0) return [];
        const result = await pool.query<{ seq: string }>(appendSql, [sessionId, events.length, events.map((event) => JSON.stringify(event))]);
        if (result.rows.length !== events.length) {
          throw new AgentRuntimeError('PERSISTENCE_ERROR', `PostgreSQL stored ${result.rows.length} of ${events.length} events.`, { details: { sessionId } });
        }
        const first = Math.min(...result.rows.map((row) => Number(row.seq)));
        return events.map((event, index) => ({ sessionId, seq: first + index, event }));
      }),

    read: async (sessionId, afterSeq, limit) => {
      checkSeq('afterSeq', afterSeq);
      if (limit !== undefined) checkSeq('limit', limit);
      return run('eventLog.read', async () =>
        (
          await pool.query<{ seq: string; event: string }>(`SELECT seq, event FROM ${s}.event_log WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
            sessionId,
            afterSeq,
            limit ?? null,
          ])
        ).rows.map((row) => ({ sessionId, seq: Number(row.seq), event: JSON.parse(row.event) as AnyServerEvent })),
      );
    },

    bounds: (sessionId) =>
      run('eventLog.bounds', async () => {
        const head = (await pool.query<{ latest_seq: string; trimmed_upto: string }>(`SELECT latest_seq, trimmed_upto FROM ${s}.event_log_heads WHERE session_id = $1`, [sessionId]))
          .rows[0];
        // Every kept seq is above the trim floor; discarded events are no gap for a replay.
        return head ? { oldestSeq: Number(head.trimmed_upto) + 1, latestSeq: Number(head.latest_seq) } : { oldestSeq: 1, latestSeq: 0 };
      }),

    trim: async (sessionId, uptoSeq) => {
      checkSeq('uptoSeq', uptoSeq);
      await run('eventLog.trim', () =>
        pool.query(
          `WITH floor AS (
             UPDATE ${s}.event_log_heads SET trimmed_upto = greatest(trimmed_upto, least($2::bigint, latest_seq)) WHERE session_id = $1
           )
           DELETE FROM ${s}.event_log WHERE session_id = $1 AND seq <= $2::bigint`,
          [sessionId, uptoSeq],
        ),
      );
    },

    discard: async (sessionId, seqs) => {
      if (seqs.length === 0) return;
      await run('eventLog.discard', () => pool.query(`DELETE FROM ${s}.event_log WHERE session_id = $1 AND seq = ANY ($2::bigint[])`, [sessionId, [...seqs]]));
    },

    forget: async (sessionId) => {
      await run('eventLog.forget', () =>
        pool.query(
          `WITH head AS (DELETE FROM ${s}.event_log_heads WHERE session_id = $1)
           DELETE FROM ${s}.event_log WHERE session_id = $1`,
          [sessionId],
        ),
      );
    },
  };
}
