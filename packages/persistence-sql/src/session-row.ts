import type { SessionListData } from '@agent-runtime/core';

/**
 * The `sessions` table row as the SQL reference adapters (SQLite, PostgreSQL) read it: one column
 * per `SessionListData` field, `metadata` as JSON text. Shared by the reference adapters.
 */
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

/** The `sessions` columns, in the order `sessionRowValues` lists the values. */
export const SESSION_COLUMNS = 'session_id, type, agent_profile_reference, name, status, last_activity, created_at, metadata';

/** The `ON CONFLICT (session_id) DO UPDATE SET …` assignments that replace every column but the id. */
export const SESSION_UPSERT_ASSIGNMENTS =
  'type = excluded.type, agent_profile_reference = excluded.agent_profile_reference, name = excluded.name, status = excluded.status, ' +
  'last_activity = excluded.last_activity, created_at = excluded.created_at, metadata = excluded.metadata';

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

/** A record's values in `SESSION_COLUMNS` order, ready to bind as statement parameters. */
export function sessionRowValues(record: SessionListData): (string | number | null)[] {
  return [
    record.sessionId,
    record.type,
    record.agentProfileReference,
    columnValue('name', record.name),
    record.status,
    columnValue('lastActivity', record.lastActivity),
    columnValue('createdAt', record.createdAt),
    columnValue('metadata', record.metadata),
  ];
}

/** The record a `sessions` row holds (`null` columns become absent fields). */
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
