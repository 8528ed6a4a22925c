import type { QueuedTurn, TurnQueueStore } from '@agent-runtime/core';
import { TURN_COLUMNS as COLUMNS, turnFromRow, unknownTurnError, type TurnRow } from '@agent-runtime/persistence-sql';
import type { PostgresContext } from './postgres-runner.js';

/**
 * The durable `TurnQueueStore` on PostgreSQL. `enqueue` is one transaction that first locks the
 * session's `turn_queue_heads` row (an upsert), then looks up `clientMessageId` and inserts at the
 * next position: concurrent enqueues of one session — on any connection or node — queue on that
 * lock, so a retried message is never accepted twice (the unique index backs this up).
 */
export function createPostgresTurnQueue({ pool, s, run, transaction }: PostgresContext): TurnQueueStore {
  const update = (operation: string, sessionId: string, position: number, assignments: string, value: string) =>
    run(operation, async () => {
      const result = await pool.query(`UPDATE ${s}.turn_queue SET ${assignments} WHERE session_id = $1 AND position = $2`, [sessionId, position, value]);
      if (result.rowCount === 0) throw unknownTurnError(sessionId, position);
    });

  return {
    enqueue: (sessionId, request, acceptedAt) =>
      run('turnQueue.enqueue', () =>
        transaction('BEGIN', async (client) => {
          const head = await client.query<{ last_position: string }>(
            `INSERT INTO ${s}.turn_queue_heads AS h (session_id, last_position) VALUES ($1, 0)
             ON CONFLICT (session_id) DO UPDATE SET last_position = h.last_position
             RETURNING last_position`,
            [sessionId],
          );
          const clientMessageId = request.clientMessageId ?? null;
          if (clientMessageId !== null) {
            const earlier = (await client.query<TurnRow>(`SELECT ${COLUMNS} FROM ${s}.turn_queue WHERE session_id = $1 AND client_message_id = $2`, [sessionId, clientMessageId]))
              .rows[0];
            if (earlier) return { turn: turnFromRow(earlier), duplicate: true };
          }
          const position = Number(head.rows[0]!.last_position) + 1;
          await client.query(`UPDATE ${s}.turn_queue_heads SET last_position = $2 WHERE session_id = $1`, [sessionId, position]);
          await client.query(
            `INSERT INTO ${s}.turn_queue (session_id, position, client_message_id, request, state, accepted_at) VALUES ($1, $2, $3, $4, 'queued', $5)`,
            [sessionId, position, clientMessageId, JSON.stringify(request), acceptedAt],
          );
          const turn: QueuedTurn = { sessionId, position, request, state: 'queued', acceptedAt };
          if (clientMessageId !== null) turn.clientMessageId = clientMessageId;
          return { turn, duplicate: false };
        }),
      ),

    pending: (sessionId) =>
      run('turnQueue.pending', async () =>
        (
          await pool.query<TurnRow>(`SELECT ${COLUMNS} FROM ${s}.turn_queue WHERE session_id = $1 AND state <> 'done' ORDER BY state = 'running' DESC, position`, [
            sessionId,
          ])
        ).rows.map(turnFromRow),
      ),

    markRunning: (sessionId, position, turnId) => update('turnQueue.markRunning', sessionId, position, `state = 'running', turn_id = $3`, String(turnId)),

    complete: (sessionId, position, outcome) => update('turnQueue.complete', sessionId, position, `state = 'done', outcome = $3`, String(outcome)),

    sessionsWithPending: () =>
      run('turnQueue.sessionsWithPending', async () =>
        (await pool.query<{ session_id: string }>(`SELECT DISTINCT session_id FROM ${s}.turn_queue WHERE state <> 'done' ORDER BY session_id`)).rows.map((row) => row.session_id),
      ),

    forget: async (sessionId) => {
      await run('turnQueue.forget', () =>
        pool.query(
          `WITH head AS (DELETE FROM ${s}.turn_queue_heads WHERE session_id = $1)
           DELETE FROM ${s}.turn_queue WHERE session_id = $1`,
          [sessionId],
        ),
      );
    },
  };
}
