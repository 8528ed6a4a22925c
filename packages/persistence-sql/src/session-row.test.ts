import type { SessionListData } from '@agent-runtime/core';
import { describe, expect, it } from 'vitest';
import { columnValue, SESSION_COLUMNS, sessionFromRow, sessionRowValues, type SessionRow } from './session-row.js';

const columns = SESSION_COLUMNS.split(', ') as (keyof SessionRow)[];
const asRow = (values: (string | number | null)[]): SessionRow => Object.fromEntries(columns.map((column, index) => [column, values[index]])) as unknown as SessionRow;

describe('sessions row mapping', () => {
  it('round-trips a full record through the column values', () => {
    const record: SessionListData = {
      sessionId: 's1',
      type: 'gemini-cli',
      agentProfileReference: 'coder',
      name: 'First',
      status: 'active',
      lastActivity: 1_700_000_000_000,
      createdAt: 1_600_000_000_000,
      metadata: { nested: { list: [1, 'two', null] } },
    };
    const values = sessionRowValues(record);
    expect(values).toHaveLength(columns.length);
    expect(sessionFromRow(asRow(values))).toEqual(record);
  });

  it('leaves absent fields absent (null columns), never undefined keys', () => {
    const record: SessionListData = { sessionId: 's2', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'pending' };
    const back = sessionFromRow(asRow(sessionRowValues(record)));
    expect(back).toEqual(record);
    expect(Object.keys(back).sort()).toEqual(['agentProfileReference', 'sessionId', 'status', 'type']);
  });

  it('stores metadata as JSON text and other fields as they are', () => {
    expect(columnValue('metadata', { a: 1 })).toBe('{"a":1}');
    expect(columnValue('name', undefined)).toBeNull();
    expect(columnValue('lastActivity', 5)).toBe(5);
  });
});
