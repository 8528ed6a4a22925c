import type { SessionListData } from '@agent-runtime/core';

/** A `sessions` row as pg returns it. */
export interface SessionRow {
  session_id: string;
  type: SessionListData['type'];
  agent_profile_reference: string;
  name: string | null;
  status: SessionListData['status'];
  last_activity: number | null;
  created_at: number | null;
  metadata: string | null;
}

export const SESSION_COLUMNS = 'session_id, type, agent_profile_reference, name, status, last_activity, created_at, metadata';

/** Record field -> column, for the fields `updateSessionRecord` may change. */
export const UPDATABLE_COLUMNS = {
  type: 'type',
  agentProfileReference: 'agent_profile_reference',
  name: 'name',
  status: 'status',
  lastActivity: 'last_activity',
  createdAt: 'created_at',
  metadata: 'metadata',
} as const satisfies Record<Exclude<keyof SessionListData, 'sessionId'>, string>;

/** The value a record field is stored as (metadata as JSON text, kept exactly). */
export function columnValue(field: keyof typeof UPDATABLE_COLUMNS, value: unknown): string | number | null {
  if (value === undefined || value === null) return null;
  return field === 'metadata' ? JSON.stringify(value) : (value as string | number);
}

export function sessionFromRow(row: SessionRow): SessionListData {
  const session: SessionListData = {
    sessionId: row.session_id,
    type: row.type,
    agentProfileReference: row.agent_profile_reference,
    status: row.status,
  };
  if (row.name !== null) session.name = row.name;
  if (row.last_activity !== null) session.lastActivity = row.last_activity;
  if (row.created_at !== null) session.createdAt = row.created_at;
  if (row.metadata !== null) session.metadata = JSON.parse(row.metadata) as Record<string, unknown>;
  return session;
}
