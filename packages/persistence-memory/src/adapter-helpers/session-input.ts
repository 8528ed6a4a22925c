import { AgentRuntimeError, invalidInputError, sessionListDataSchema, type SessionListData } from '@agent-runtime/core';

const sessionUpdateSchema = sessionListDataSchema.omit({ sessionId: true }).partial();

/** Validates a record for `createSessionRecord`; `INVALID_INPUT` naming the field otherwise. */
export function parseSessionRecord(session: SessionListData): SessionListData {
  const result = sessionListDataSchema.safeParse(session);
  if (result.success) return result.data;
  throw invalidInputError(result.error.issues, 'session');
}

/**
 * The fields an `updateSessionRecord` call changes: those present and not `undefined`. `sessionId`
 * is dropped (a session is never renamed); `metadata` replaces the stored value whole.
 */
export function parseSessionUpdate(updates: Partial<SessionListData>): Partial<Omit<SessionListData, 'sessionId'>> {
  const present = Object.fromEntries(Object.entries(updates).filter(([key, value]) => key !== 'sessionId' && value !== undefined));
  const result = sessionUpdateSchema.safeParse(present);
  if (result.success) return result.data;
  throw invalidInputError(result.error.issues, 'updates');
}

/** A subagent id must be a non-empty string (`undefined` means the main transcript). */
export function checkSubagentId(subagentId: string | undefined): void {
  if (subagentId !== undefined && (typeof subagentId !== 'string' || subagentId.length === 0)) {
    throw new AgentRuntimeError('INVALID_INPUT', 'A subagent id must be a non-empty string.', { details: { field: 'subagentId' } });
  }
}
