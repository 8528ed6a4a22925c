import { randomUUID } from 'node:crypto';
import type { BusEvent, WebhookEventType } from '@agent-runtime/core';

/**
 * The JSON body of a delivery. `id` is the same on every retry of one delivery (a receiver
 * de-duplicates by it): `<sessionId>:<seq>` for an event with a seq.
 */
export interface WebhookPayload<Data = unknown> {
  id: string;
  type: WebhookEventType;
  /** ISO time the event was seen. */
  createdAt: string;
  sessionId: string;
  /** The engine event's payload, as on the WebSocket (e.g. a `PermissionRequest` for `permission.requested`). */
  data: Data;
  /** The event's per-session sequence number, when it has one. */
  seq?: number;
}

/** Which webhook event an engine event is, or undefined when it is none. */
export function webhookEventType(event: BusEvent): WebhookEventType | undefined {
  switch (event.event) {
    case 'session:permission:request':
      return 'permission.requested';
    case 'session:question:request':
      return 'question.requested';
    case 'session:turn:end':
      return 'turn.ended';
    case 'session:status':
      // A runtime stopping or handing the session to another node is not the session going idle.
      return event.data.status === 'inactive' && event.data.reason !== 'stopped' ? 'session.idle' : undefined;
    default:
      return undefined;
  }
}

/** The payload for an engine event, or undefined when webhooks do not carry it. */
export function webhookPayload(event: BusEvent, now: number): WebhookPayload | undefined {
  const type = webhookEventType(event);
  if (type === undefined) return undefined;
  const sessionId = event.sessionId ?? (event.data as { sessionId?: string }).sessionId;
  if (typeof sessionId !== 'string') return undefined;
  return {
    id: event.seq === undefined ? randomUUID() : `${sessionId}:${event.seq}`,
    type,
    createdAt: new Date(now).toISOString(),
    sessionId,
    data: event.data,
    ...(event.seq === undefined ? {} : { seq: event.seq }),
  };
}
