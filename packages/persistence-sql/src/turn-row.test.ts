import { describe, expect, it } from 'vitest';
import { turnFromRow, unknownTurnError } from './turn-row.js';

describe('turnFromRow', () => {
  const row = {
    session_id: 's',
    position: '7',
    client_message_id: null,
    request: '{"content":"hi"}',
    state: 'queued' as const,
    turn_id: null,
    accepted_at: '2026-01-01T00:00:00.000Z',
    outcome: null,
  };

  it('maps a row (bigint position as text, as PostgreSQL gives it) and leaves null columns out', () => {
    expect(turnFromRow(row)).toEqual({ sessionId: 's', position: 7, request: { content: 'hi' }, state: 'queued', acceptedAt: '2026-01-01T00:00:00.000Z' });
  });

  it('keeps the optional columns when set', () => {
    expect(turnFromRow({ ...row, position: 2, client_message_id: 'c1', state: 'done', turn_id: 't1', outcome: 'completed' })).toMatchObject({
      position: 2,
      clientMessageId: 'c1',
      turnId: 't1',
      outcome: 'completed',
    });
  });

  it('unknownTurnError is NOT_FOUND with the session and position', () => {
    expect(unknownTurnError('s', 3)).toMatchObject({ code: 'NOT_FOUND', details: { sessionId: 's', position: 3 } });
  });
});
