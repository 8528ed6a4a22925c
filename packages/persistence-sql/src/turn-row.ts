import { AgentRuntimeError, type QueuedTurn, type QueuedTurnState, type SendMessageRequest } from '@agent-runtime/core';

/**
 * The `turn_queue` table row as the SQL reference adapters read it (`position` is a number in
 * SQLite and a bigint string in PostgreSQL; `request` is JSON text).
 */
export interface TurnRow {
  session_id: string;
  position: number | string;
  client_message_id: string | null;
  request: string;
  state: QueuedTurnState;
  turn_id: string | null;
  accepted_at: string;
  outcome: string | null;
}

/** The `turn_queue` columns `turnFromRow` reads. */
export const TURN_COLUMNS = 'session_id, position, client_message_id, request, state, turn_id, accepted_at, outcome';

/** A `turn_queue` row as core's `QueuedTurn` (absent columns leave their fields out). */
export function turnFromRow(row: TurnRow): QueuedTurn {
  const turn: QueuedTurn = {
    sessionId: row.session_id,
    position: Number(row.position),
    request: JSON.parse(row.request) as SendMessageRequest,
    state: row.state,
    acceptedAt: row.accepted_at,
  };
  if (row.client_message_id !== null) turn.clientMessageId = row.client_message_id;
  if (row.turn_id !== null) turn.turnId = row.turn_id;
  if (row.outcome !== null) turn.outcome = row.outcome;
  return turn;
}

/** `markRunning` / `complete` of a position the session does not have. */
export function unknownTurnError(sessionId: string, position: number): AgentRuntimeError {
  return new AgentRuntimeError('NOT_FOUND', `Session "${sessionId}" has no queued turn at position ${position}.`, { details: { sessionId, position } });
}
