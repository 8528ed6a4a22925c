import type { QueuedTurn, TurnQueueStore } from '@agent-runtime/core';
import { TURN_COLUMNS as COLUMNS, turnFromRow, unknownTurnError, type TurnRow } from '@agent-runtime/persistence-sql';
import type { Database } from 'better-sqlite3';
import { statementCache, type SqliteRunner } from './sqlite-runner.js';

const statements = statementCache((db: Database) => ({
  byClientMessage: db.prepare<[string, string], TurnRow>(`SELECT ${COLUMNS} FROM turn_queue WHERE session_id = ? AND client_message_id = ?`),
  nextPosition: db.prepare<[string], { position: number }>('SELECT coalesce(max(position), 0) + 1 AS position FROM turn_queue WHERE session_id = ?'),
  insert: db.prepare<[string, number, string | null, string, string]>(
    `INSERT INTO turn_queue (session_id, position, client_message_id, request, state, accepted_at) VALUES (?, ?, ?, ?, 'queued', ?)`,
  ),
  pending: db.prepare<[string], TurnRow>(
    `SELECT ${COLUMNS} FROM turn_queue WHERE session_id = ? AND state <> 'done' ORDER BY state = 'running' DESC, position`,
  ),
  markRunning: db.prepare<[string, string, number]>(`UPDATE turn_queue SET state = 'running', turn_id = ? WHERE session_id = ? AND position = ?`),
  complete: db.prepare<[string, string, number]>(`UPDATE turn_queue SET state = 'done', outcome = ? WHERE session_id = ? AND position = ?`),
  sessionsWithPending: db.prepare<[], { session_id: string }>(`SELECT DISTINCT session_id FROM turn_queue WHERE state <> 'done' ORDER BY session_id`),
  forget: db.prepare<[string]>('DELETE FROM turn_queue WHERE session_id = ?'),
}));

/**
 * The durable `TurnQueueStore` over the SQLite adapter's file. `enqueue` runs in one
 * `BEGIN IMMEDIATE` transaction: look up `clientMessageId` (unique per session by index), else
 * insert at the next position. Positions rise within a session; done entries are kept (they carry
 * the deduplication) until `forget`.
 */
export function createSqliteTurnQueue(run: SqliteRunner): TurnQueueStore {
  const update = (operation: string, sessionId: string, position: number, change: (db: Database) => { changes: number }) =>
    run(operation, (db) => {
      if (change(db).changes === 0) throw unknownTurnError(sessionId, position);
    });

  return {
    enqueue: (sessionId, request, acceptedAt) =>
      run('turnQueue.enqueue', (db) =>
        db
          .transaction(() => {
            const statement = statements(db);
            const clientMessageId = request.clientMessageId ?? null;
            if (clientMessageId !== null) {
              const earlier = statement.byClientMessage.get(sessionId, clientMessageId);
              if (earlier) return { turn: turnFromRow(earlier), duplicate: true };
            }
            const { position } = statement.nextPosition.get(sessionId)!;
            statement.insert.run(sessionId, position, clientMessageId, JSON.stringify(request), acceptedAt);
            const turn: QueuedTurn = { sessionId, position, request, state: 'queued', acceptedAt };
            if (clientMessageId !== null) turn.clientMessageId = clientMessageId;
            return { turn, duplicate: false };
          })
          .immediate(),
      ),

    pending: (sessionId) => run('turnQueue.pending', (db) => statements(db).pending.all(sessionId).map(turnFromRow)),

    markRunning: (sessionId, position, turnId) =>
      update('turnQueue.markRunning', sessionId, position, (db) => statements(db).markRunning.run(String(turnId), sessionId, position)),

    complete: (sessionId, position, outcome) =>
      update('turnQueue.complete', sessionId, position, (db) => statements(db).complete.run(String(outcome), sessionId, position)),

    sessionsWithPending: () => run('turnQueue.sessionsWithPending', (db) => statements(db).sessionsWithPending.all().map((row) => row.session_id)),

    forget: async (sessionId) => {
      await run('turnQueue.forget', (db) => statements(db).forget.run(sessionId));
    },
  };
}
