import { describe, expect, it } from 'vitest';
import { SERVER_EVENT_NAMES } from './events.js';
import { isServerEventName, serverEventPayloadSchemas } from './server-event-schemas.js';

describe('serverEventPayloadSchemas', () => {
  it('has a schema for exactly the server events core names', () => {
    expect(Object.keys(serverEventPayloadSchemas).sort()).toEqual([...SERVER_EVENT_NAMES].sort());
  });

  it('accepts a well-formed payload and refuses a malformed one', () => {
    const delta = { sessionId: 's', conversationId: 'main', blockId: 'b', delta: 'hi' };
    expect(serverEventPayloadSchemas['session:block:delta'].safeParse(delta).success).toBe(true);
    expect(serverEventPayloadSchemas['session:block:delta'].safeParse({ ...delta, delta: 42 }).success).toBe(false);
    expect(serverEventPayloadSchemas['session:status'].safeParse({ sessionId: 's', status: 'sleepy' }).success).toBe(false);
  });

  it('session:status takes an optional progress message', () => {
    const status = serverEventPayloadSchemas['session:status'];
    expect(status.safeParse({ sessionId: 's', status: 'building-sandbox' }).success).toBe(true);
    expect(status.safeParse({ sessionId: 's', status: 'building-sandbox', message: 'building image (15 s)' }).success).toBe(true);
    expect(status.safeParse({ sessionId: 's', status: 'building-sandbox', message: 42 }).success).toBe(false);
  });

  it('isServerEventName', () => {
    expect(isServerEventName('session:turn:end')).toBe(true);
    expect(isServerEventName('toString')).toBe(false);
    expect(isServerEventName('session:unknown')).toBe(false);
  });
});
