import type { SessionLease } from '@agent-runtime/core';

export interface LeaseRow {
  session_id: string;
  node_id: string;
  fencing_token: string;
  acquired_at: Date;
  expires_at: Date;
}

export function leaseFromRow(row: LeaseRow): SessionLease {
  return {
    sessionId: row.session_id,
    nodeId: row.node_id,
    fencingToken: Number(row.fencing_token),
    acquiredAt: row.acquired_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

export const LEASE_COLUMNS = 'session_id, node_id, fencing_token, acquired_at, expires_at';
