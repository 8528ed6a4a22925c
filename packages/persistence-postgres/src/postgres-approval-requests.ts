import type { ApprovalRequestStore, PendingRequest, PermissionResolution, QuestionResolution, StoredApprovalRequest } from '@agent-runtime/core';
import type { PostgresContext } from './postgres-runner.js';

interface RequestRow {
  request: string;
  resolution: string | null;
}

function storedFromRow(row: RequestRow): StoredApprovalRequest {
  const stored: StoredApprovalRequest = { request: JSON.parse(row.request) as PendingRequest };
  if (row.resolution !== null) stored.resolution = JSON.parse(row.resolution) as PermissionResolution | QuestionResolution;
  return stored;
}

/**
 * The durable `ApprovalRequestStore` on PostgreSQL: one row per request; `resolve` is a
 * conditional UPDATE (`resolution IS NULL`), so of concurrent answers — on any node — one wins
 * and the others read it back.
 */
export function createPostgresApprovalRequests({ pool, s, run }: PostgresContext): ApprovalRequestStore {
  const select = async (sessionId: string, requestId: string) =>
    (await pool.query<RequestRow>(`SELECT request, resolution FROM ${s}.approval_requests WHERE session_id = $1 AND request_id = $2`, [sessionId, requestId])).rows[0];

  return {
    add: (request) =>
      run('approvalRequests.add', async () => {
        await pool.query(
          `INSERT INTO ${s}.approval_requests (session_id, request_id, created_at, request) VALUES ($1, $2, $3, $4) ON CONFLICT (session_id, request_id) DO NOTHING`,
          [request.sessionId, request.requestId, request.createdAt, JSON.stringify(request)],
        );
      }),

    get: (sessionId, requestId) =>
      run('approvalRequests.get', async () => {
        const row = await select(sessionId, requestId);
        return row ? storedFromRow(row) : undefined;
      }),

    resolve: (sessionId, requestId, resolution) =>
      run('approvalRequests.resolve', async () => {
        const updated = await pool.query<RequestRow>(
          `UPDATE ${s}.approval_requests SET resolution = $3 WHERE session_id = $1 AND request_id = $2 AND resolution IS NULL RETURNING request, resolution`,
          [sessionId, requestId, JSON.stringify(resolution)],
        );
        if (updated.rows[0]) return { stored: storedFromRow(updated.rows[0]), alreadyResolved: false };
        const row = await select(sessionId, requestId);
        return row ? { stored: storedFromRow(row), alreadyResolved: true } : undefined;
      }),

    list: (sessionId, options = {}) =>
      run('approvalRequests.list', async () => {
        const pending = options.pendingOnly ? 'AND resolution IS NULL' : '';
        const rows = await pool.query<RequestRow>(`SELECT request, resolution FROM ${s}.approval_requests WHERE session_id = $1 ${pending} ORDER BY created_at, sequence`, [sessionId]);
        return rows.rows.map(storedFromRow);
      }),

    sessionsWithPending: () =>
      run('approvalRequests.sessionsWithPending', async () =>
        (await pool.query<{ session_id: string }>(`SELECT DISTINCT session_id FROM ${s}.approval_requests WHERE resolution IS NULL ORDER BY session_id`)).rows.map((row) => row.session_id),
      ),

    forget: (sessionId) =>
      run('approvalRequests.forget', async () => {
        await pool.query(`DELETE FROM ${s}.approval_requests WHERE session_id = $1`, [sessionId]);
      }),
  };
}
