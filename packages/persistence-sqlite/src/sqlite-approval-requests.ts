import type { ApprovalRequestStore, PendingRequest, PermissionResolution, QuestionResolution, StoredApprovalRequest } from '@agent-runtime/core';
import type { Database } from 'better-sqlite3';
import { statementCache, type SqliteRunner } from './sqlite-runner.js';

interface RequestRow {
  request: string;
  resolution: string | null;
}

const statements = statementCache((db: Database) => ({
  insert: db.prepare<[string, string, number, string]>(
    'INSERT INTO approval_requests (session_id, request_id, created_at, request) VALUES (?, ?, ?, ?) ON CONFLICT (session_id, request_id) DO NOTHING',
  ),
  get: db.prepare<[string, string], RequestRow>('SELECT request, resolution FROM approval_requests WHERE session_id = ? AND request_id = ?'),
  resolve: db.prepare<[string, string, string]>('UPDATE approval_requests SET resolution = ? WHERE session_id = ? AND request_id = ? AND resolution IS NULL'),
  list: db.prepare<[string], RequestRow>('SELECT request, resolution FROM approval_requests WHERE session_id = ? ORDER BY created_at, sequence'),
  listPending: db.prepare<[string], RequestRow>('SELECT request, resolution FROM approval_requests WHERE session_id = ? AND resolution IS NULL ORDER BY created_at, sequence'),
  sessionsWithPending: db.prepare<[], { session_id: string }>('SELECT DISTINCT session_id FROM approval_requests WHERE resolution IS NULL ORDER BY session_id'),
  forget: db.prepare<[string]>('DELETE FROM approval_requests WHERE session_id = ?'),
}));

function storedFromRow(row: RequestRow): StoredApprovalRequest {
  const stored: StoredApprovalRequest = { request: JSON.parse(row.request) as PendingRequest };
  if (row.resolution !== null) stored.resolution = JSON.parse(row.resolution) as PermissionResolution | QuestionResolution;
  return stored;
}

/**
 * The durable `ApprovalRequestStore` over the SQLite adapter's file: one row per request, the
 * resolution set by a conditional UPDATE (`resolution IS NULL`), so the first answer wins.
 */
export function createSqliteApprovalRequests(run: SqliteRunner): ApprovalRequestStore {
  return {
    add: async (request) => {
      await run('approvalRequests.add', (db) => statements(db).insert.run(request.sessionId, request.requestId, request.createdAt, JSON.stringify(request)));
    },

    get: (sessionId, requestId) =>
      run('approvalRequests.get', (db) => {
        const row = statements(db).get.get(sessionId, requestId);
        return row ? storedFromRow(row) : undefined;
      }),

    resolve: (sessionId, requestId, resolution) =>
      run('approvalRequests.resolve', (db) =>
        db
          .transaction(() => {
            const statement = statements(db);
            const changed = statement.resolve.run(JSON.stringify(resolution), sessionId, requestId).changes > 0;
            const row = statement.get.get(sessionId, requestId);
            return row ? { stored: storedFromRow(row), alreadyResolved: !changed } : undefined;
          })
          .immediate(),
      ),

    list: (sessionId, options = {}) =>
      run('approvalRequests.list', (db) => (options.pendingOnly ? statements(db).listPending : statements(db).list).all(sessionId).map(storedFromRow)),

    sessionsWithPending: () => run('approvalRequests.sessionsWithPending', (db) => statements(db).sessionsWithPending.all().map((row) => row.session_id)),

    forget: async (sessionId) => {
      await run('approvalRequests.forget', (db) => statements(db).forget.run(sessionId));
    },
  };
}
