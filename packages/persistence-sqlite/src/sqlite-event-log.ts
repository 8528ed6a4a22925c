import { AgentRuntimeError, type AnyServerEvent, type LoggedSessionEvent, type SessionEventLog, type SessionEventLogBounds } from '@agent-runtime/core';
import type { Database } from 'better-sqlite3';
import { statementCache, type SqliteRunner } from './sqlite-runner.js';

interface Head {
  latest_seq: number;
  trimmed_upto: number;
}

const statements = statementCache((db: Database) => ({
  head: db.prepare<[string], Head>('SELECT latest_seq, trimmed_upto FROM event_log_heads WHERE session_id = ?'),
  advance: db.prepare<[string, number]>(
    `INSERT INTO event_log_heads (session_id, latest_seq) VALUES (?, ?)
     ON CONFLICT (session_id) DO UPDATE SET latest_seq = latest_seq + excluded.latest_seq`,
  ),
  insert: db.prepare<[string, number, string]>('INSERT INTO event_log (session_id, seq, event) VALUES (?, ?, ?)'),
  read: db.prepare<[string, number, number], { seq: number; event: string }>(
    'SELECT seq, event FROM event_log WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  ),
  trimHead: db.prepare<[number, string]>('UPDATE event_log_heads SET trimmed_upto = max(trimmed_upto, min(?, latest_seq)) WHERE session_id = ?'),
  trim: db.prepare<[string, number]>('DELETE FROM event_log WHERE session_id = ? AND seq <= ?'),
  discard: db.prepare<[string, number]>('DELETE FROM event_log WHERE session_id = ? AND seq = ?'),
  forgetEvents: db.prepare<[string]>('DELETE FROM event_log WHERE session_id = ?'),
  forgetHead: db.prepare<[string]>('DELETE FROM event_log_heads WHERE session_id = ?'),
}));

function checkSeq(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AgentRuntimeError('INVALID_INPUT', `${name} must be a non-negative integer.`, { details: { field: name } });
  }
}

/**
 * The durable `SessionEventLog` over the SQLite adapter's file. `append` numbers and stores a batch
 * in one `BEGIN IMMEDIATE` transaction: the per-session head row (`event_log_heads.latest_seq`)
 * is advanced first, so a seq is never handed out twice — not after trim, discard or a restart,
 * and not by a second process on the same file (it waits for the write lock).
 */
export function createSqliteEventLog(run: SqliteRunner): SessionEventLog {
  return {
    append: (sessionId, events) =>
      run('eventLog.append', (db) => {
        if (events.length === 0) return [];
        const statement = statements(db);
        const serialized = events.map((event) => JSON.stringify(event));
        return db
          .transaction((): LoggedSessionEvent[] => {
            statement.advance.run(sessionId, events.length);
            const latest = statement.head.get(sessionId)!.latest_seq;
            const first = latest - events.length + 1;
            serialized.forEach((text, index) => statement.insert.run(sessionId, first + index, text));
            return events.map((event, index) => ({ sessionId, seq: first + index, event }));
          })
          .immediate();
      }),

    read: async (sessionId, afterSeq, limit) => {
      checkSeq('afterSeq', afterSeq);
      if (limit !== undefined) checkSeq('limit', limit);
      return run('eventLog.read', (db) =>
        statements(db)
          .read.all(sessionId, afterSeq, limit ?? -1)
          .map((row) => ({ sessionId, seq: row.seq, event: JSON.parse(row.event) as AnyServerEvent })),
      );
    },

    bounds: (sessionId) =>
      run('eventLog.bounds', (db): SessionEventLogBounds => {
        const head = statements(db).head.get(sessionId);
        // Every kept seq is above the trim floor; discarded events are no gap for a replay.
        return head ? { oldestSeq: head.trimmed_upto + 1, latestSeq: head.latest_seq } : { oldestSeq: 1, latestSeq: 0 };
      }),

    trim: async (sessionId, uptoSeq) => {
      checkSeq('uptoSeq', uptoSeq);
      await run('eventLog.trim', (db) =>
        db
          .transaction(() => {
            statements(db).trimHead.run(uptoSeq, sessionId);
            statements(db).trim.run(sessionId, uptoSeq);
          })
          .immediate(),
      );
    },

    discard: async (sessionId, seqs) => {
      await run('eventLog.discard', (db) =>
        db
          .transaction(() => {
            for (const seq of seqs) statements(db).discard.run(sessionId, seq);
          })
          .immediate(),
      );
    },

    forget: async (sessionId) => {
      await run('eventLog.forget', (db) =>
        db
          .transaction(() => {
            statements(db).forgetEvents.run(sessionId);
            statements(db).forgetHead.run(sessionId);
          })
          .immediate(),
      );
    },
  };
}
