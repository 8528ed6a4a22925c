import type { AnyServerEvent, RuntimeSessionData, ServerEventName, ServerEventPayload } from '@agent-runtime/core';

/** The subset of the WebSocket API used (browsers' WebSocket and the `ws` package both fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Timers the socket uses (reconnect backoff, ack timeouts); inject fake ones in tests. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

/** Why the client reported a problem on `client:error`. */
export type ClientErrorCode =
  /** A server frame that is not JSON, or does not match core's frame or payload schemas: it was dropped. */
  | 'INVALID_FRAME'
  /** A handler registered with `on`/`onAny` threw; the other handlers still ran. */
  | 'HANDLER_FAILED'
  /** The session could not be reloaded after a resync. */
  | 'RESYNC_FAILED';

export interface ClientErrorReport {
  code: ClientErrorCode;
  message: string;
  sessionId?: string;
  /** The event being delivered (HANDLER_FAILED) or the frame's event name when it had one. */
  event?: string;
  /** The start of the offending frame (INVALID_FRAME), at most 200 characters. */
  frame?: string;
  /** Where a frame failed validation (INVALID_FRAME). */
  issues?: { path: string; message: string }[];
  /** What was thrown (HANDLER_FAILED, RESYNC_FAILED). */
  cause?: unknown;
}

/** Events the socket itself emits (not sent by the server). */
export interface LocalEventMap {
  'connection:open': { reconnected: boolean };
  'connection:close': { code: number; reason: string; willReconnect: boolean };
  /** After `session:resync`, the session was reloaded with `GET /sessions/:id`: replace your state with it. */
  'session:resynced': { sessionId: string; session: RuntimeSessionData };
  /** Something the client dropped or could not do: a malformed frame, a throwing handler, a failed reload. */
  'client:error': ClientErrorReport;
}

/** Every event a handler can listen to, with its payload. */
export type ClientEventMap = { [E in ServerEventName]: ServerEventPayload<E> } & LocalEventMap;
export type ClientEventName = keyof ClientEventMap;

export interface EventMeta {
  /** Per-session sequence number (session events only). */
  seq?: number;
}

export type ClientEventHandler<E extends ClientEventName> = (data: ClientEventMap[E], meta: EventMeta) => void;

/** A server event as the socket delivers it. */
export type ServerEventFrame = AnyServerEvent & { seq?: number };

export interface JoinAck {
  success: true;
  latestSeq: number;
  replayed?: number;
  resync?: boolean;
}

export interface ReconnectOptions {
  /** Default true. */
  enabled?: boolean;
  /** First delay; doubles up to `maxDelayMs`, with jitter. Default 250 ms. */
  initialDelayMs?: number;
  /** Default 10 000 ms. */
  maxDelayMs?: number;
}

/** Where the client logs what it reports when nobody listens to `client:error` (core's `Logger` fits). */
export interface ClientLogger {
  error(object: Record<string, unknown>, message?: string): void;
}
