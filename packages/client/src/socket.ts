import type { AnyServerEvent, RuntimeSessionData, ServerEventName, ServerEventPayload } from '@agent-runtime/core';
import { AgentRuntimeClientError } from './client-error.js';

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

/** Events the socket itself emits (not sent by the server). */
export interface LocalEventMap {
  'connection:open': { reconnected: boolean };
  'connection:close': { code: number; reason: string; willReconnect: boolean };
  /** After `session:resync`, the session was reloaded with `GET /sessions/:id`: replace your state with it. */
  'session:resynced': { sessionId: string; session: RuntimeSessionData };
}

/** Every event a handler can listen to, with its payload. */
export type ClientEventMap = { [E in ServerEventName]: ServerEventPayload<E> } & LocalEventMap;
export type ClientEventName = keyof ClientEventMap;

export interface EventMeta {
  /** Per-session sequence number (session events only). */
  seq?: number;
}

export type ClientEventHandler<E extends ClientEventName> = (data: ClientEventMap[E], meta: EventMeta) => void;

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

export interface AgentRuntimeSocketOptions {
  url: string;
  WebSocket?: WebSocketConstructor;
  /** Token sent as `?access_token=` (browsers cannot set headers on the upgrade). */
  token?: () => string | undefined | Promise<string | undefined>;
  reconnect?: ReconnectOptions;
  /** Reloads a session after `session:resync` (the client passes `getSession`). */
  loadSession?: (sessionId: string) => Promise<RuntimeSessionData>;
  /** Acks not received after this are failed with TIMEOUT. Default 15 000 ms. */
  ackTimeoutMs?: number;
}

interface SessionEntry {
  refs: number;
  /** Last sequence number delivered (undefined until the first ack or event). */
  lastSeq: number | undefined;
  resyncing: boolean;
  buffer: (AnyServerEvent & { seq?: number })[];
  ready: Promise<JoinAck>;
  settle: { resolve: (ack: JoinAck) => void; reject: (error: unknown) => void } | undefined;
}

type Frame = { event?: unknown; data?: unknown; seq?: unknown; ack?: unknown; result?: unknown };

/**
 * A reconnecting WebSocket for the agent-runtime protocol. `join` a session, listen with `on`;
 * after a dropped connection it reconnects with backoff and re-joins every session with
 * `since: <last seq seen>`, so handlers see every event exactly once, in order. When the server's
 * replay window no longer holds the gap it reloads the session and emits `session:resynced`.
 */
export class AgentRuntimeSocket {
  state: 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed' = 'idle';
  private socket: WebSocketLike | undefined;
  private readonly sessions = new Map<string, SessionEntry>();
  private readonly handlers = new Map<string, Set<(data: never, meta: EventMeta) => void>>();
  private readonly anyHandlers = new Set<(event: AnyServerEvent & { seq?: number }) => void>();
  private readonly pendingAcks = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (error: unknown) => void; timer: ReturnType<typeof setTimeout> }>();
  private nextAck = 1;
  private attempts = 0;
  private everOpened = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private openWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly WebSocketImplementation: WebSocketConstructor;

  constructor(private readonly options: AgentRuntimeSocketOptions) {
    const implementation = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!implementation) {
      throw new AgentRuntimeClientError('INVALID_CONFIG', 'No WebSocket available: pass options.WebSocket (e.g. the `ws` package on Node < 22).');
    }
    this.WebSocketImplementation = implementation;
  }

  /** Opens the connection (resolves once open; later drops reconnect on their own). */
  connect(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    const waiter = new Promise<void>((resolve, reject) => this.openWaiters.push({ resolve, reject }));
    if (this.state === 'idle' || this.state === 'closed') {
      this.state = 'connecting';
      void this.open();
    }
    return waiter;
  }

  /** Joins a session (counted: the server is left when every joiner has left). */
  join(sessionId: string, options: { since?: number } = {}): Promise<JoinAck> {
    const existing = this.sessions.get(sessionId);
    if (existing) {
      existing.refs++;
      return existing.ready;
    }
    let settle: SessionEntry['settle'];
    const ready = new Promise<JoinAck>((resolve, reject) => {
      settle = { resolve, reject };
    });
    ready.catch(() => {});
    const entry: SessionEntry = { refs: 1, lastSeq: options.since, resyncing: false, buffer: [], ready, settle };
    this.sessions.set(sessionId, entry);
    if (this.state === 'open') this.sendJoin(sessionId, entry);
    else void this.connect().catch(() => {});
    return ready;
  }

  /** Leaves a session (when the last joiner leaves). */
  async leave(sessionId: string): Promise<void> {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.sessions.delete(sessionId);
    if (this.state === 'open') await this.emitWithAck('session:leave', [sessionId]).catch(() => undefined);
  }

  /** The last sequence number delivered for a session. */
  lastSeq(sessionId: string): number | undefined {
    return this.sessions.get(sessionId)?.lastSeq;
  }

  on<E extends ClientEventName>(event: E, handler: ClientEventHandler<E>): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler as (data: never, meta: EventMeta) => void);
    return () => this.off(event, handler);
  }

  off<E extends ClientEventName>(event: E, handler: ClientEventHandler<E>): void {
    this.handlers.get(event)?.delete(handler as (data: never, meta: EventMeta) => void);
  }

  /** Every server event (after de-duplication), for state folding. */
  onAny(handler: (event: AnyServerEvent & { seq?: number }) => void): () => void {
    this.anyHandlers.add(handler);
    return () => this.anyHandlers.delete(handler);
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'client closed');
    this.failPending(new AgentRuntimeClientError('DISCONNECTED', 'The socket was closed.'));
    for (const waiter of this.openWaiters.splice(0)) waiter.reject(new AgentRuntimeClientError('DISCONNECTED', 'The socket was closed.'));
  }

  /** Drops the connection as a network failure would (reconnects). For tests and "retry now" buttons. */
  reconnectNow(): void {
    const socket = this.socket;
    if (socket) socket.close(4001, 'reconnect');
  }

  private async open(): Promise<void> {
    let url = this.options.url;
    const token = await this.options.token?.();
    if (token) url += `${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
    if (this.state === 'closed') return;
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImplementation(url);
    } catch (error) {
      this.scheduleReconnect(1006, (error as Error)?.message ?? 'connect failed');
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const reconnected = this.everOpened;
      this.state = 'open';
      this.everOpened = true;
      this.attempts = 0;
      for (const waiter of this.openWaiters.splice(0)) waiter.resolve();
      for (const [sessionId, entry] of this.sessions) this.sendJoin(sessionId, entry);
      this.emitLocal('connection:open', { reconnected });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.receive(event.data);
    };
    socket.onerror = () => {};
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.failPending(new AgentRuntimeClientError('DISCONNECTED', 'The connection dropped.'));
      this.scheduleReconnect(event.code, event.reason);
    };
  }

  private scheduleReconnect(code: number, reason: string): void {
    const reconnect = this.options.reconnect ?? {};
    const willReconnect = this.state !== 'closed' && reconnect.enabled !== false;
    this.emitLocal('connection:close', { code, reason, willReconnect });
    if (!willReconnect) {
      this.state = 'closed';
      for (const waiter of this.openWaiters.splice(0)) waiter.reject(new AgentRuntimeClientError('DISCONNECTED', `Connection closed (${code}).`));
      return;
    }
    this.state = 'reconnecting';
    const initial = reconnect.initialDelayMs ?? 250;
    const max = reconnect.maxDelayMs ?? 10_000;
    const delay = Math.min(max, initial * 2 ** this.attempts) * (0.5 + Math.random() * 0.5);
    this.attempts++;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state === 'reconnecting') void this.open();
    }, delay);
  }

  private sendJoin(sessionId: string, entry: SessionEntry): void {
    const args = entry.lastSeq === undefined ? [sessionId] : [sessionId, { since: entry.lastSeq }];
    this.emitWithAck('session:join', args).then(
      (result) => {
        if (this.sessions.get(sessionId) !== entry) return;
        if (result.success !== true) {
          const error = result.error as { code?: string; message?: string } | undefined;
          const failure = new AgentRuntimeClientError(error?.code ?? 'JOIN_FAILED', error?.message ?? `Could not join "${sessionId}".`);
          if (entry.settle) {
            this.sessions.delete(sessionId);
            entry.settle.reject(failure);
            entry.settle = undefined;
          } else {
            this.emitLocal('error', { message: failure.message, code: failure.code, sessionId });
          }
          return;
        }
        const ack = result as unknown as JoinAck;
        if (entry.lastSeq === undefined) entry.lastSeq = ack.latestSeq;
        entry.settle?.resolve(ack);
        entry.settle = undefined;
      },
      (error: unknown) => {
        // Disconnected before the ack: the next open re-joins. Other failures reject a first join.
        if (AgentRuntimeClientError.isInstance(error) && error.code === 'DISCONNECTED') return;
        if (entry.settle && this.sessions.get(sessionId) === entry) {
          this.sessions.delete(sessionId);
          entry.settle.reject(error);
          entry.settle = undefined;
        }
      },
    );
  }

  private emitWithAck(event: string, args: unknown[]): Promise<Record<string, unknown>> {
    const socket = this.socket;
    if (!socket || this.state !== 'open') return Promise.reject(new AgentRuntimeClientError('DISCONNECTED', 'Not connected.'));
    const ack = this.nextAck++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingAcks.delete(ack);
        reject(new AgentRuntimeClientError('TIMEOUT', `No answer to ${event}.`));
      }, this.options.ackTimeoutMs ?? 15_000);
      this.pendingAcks.set(ack, { resolve, reject, timer });
      socket.send(JSON.stringify({ event, args, ack }));
    });
  }

  private failPending(error: AgentRuntimeClientError): void {
    for (const [ack, pending] of this.pendingAcks) {
      clearTimeout(pending.timer);
      this.pendingAcks.delete(ack);
      pending.reject(error);
    }
  }

  private receive(raw: unknown): void {
    let frame: Frame;
    try {
      frame = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as Frame;
    } catch {
      return;
    }
    if (typeof frame.ack === 'number' && frame.event === undefined) {
      const pending = this.pendingAcks.get(frame.ack);
      if (!pending) return;
      clearTimeout(pending.timer);
      this.pendingAcks.delete(frame.ack);
      pending.resolve((frame.result ?? {}) as Record<string, unknown>);
      return;
    }
    if (typeof frame.event !== 'string') return;
    const event = { event: frame.event, data: frame.data, ...(typeof frame.seq === 'number' ? { seq: frame.seq } : {}) } as AnyServerEvent & { seq?: number };
    const sessionId = (frame.data as { sessionId?: unknown } | undefined)?.sessionId;
    if (event.event === 'session:resync' && typeof sessionId === 'string') {
      this.dispatch(event);
      void this.resync(sessionId, (event.data as { latestSeq: number }).latestSeq);
      return;
    }
    if (event.seq !== undefined && typeof sessionId === 'string') {
      const entry = this.sessions.get(sessionId);
      if (!entry) return; // left meanwhile
      if (entry.resyncing) {
        entry.buffer.push(event);
        return;
      }
      if (entry.lastSeq !== undefined && event.seq <= entry.lastSeq) return; // duplicate
      entry.lastSeq = event.seq;
    }
    this.dispatch(event);
  }

  private async resync(sessionId: string, latestSeq: number): Promise<void> {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    entry.resyncing = true;
    entry.buffer = [];
    let lastSeq = latestSeq;
    try {
      if (this.options.loadSession) {
        const session = await this.options.loadSession(sessionId);
        lastSeq = Math.max(session.lastEventSeq ?? latestSeq, 0);
        entry.lastSeq = lastSeq;
        this.emitLocal('session:resynced', { sessionId, session });
      } else {
        entry.lastSeq = lastSeq;
      }
    } catch (error) {
      entry.lastSeq = lastSeq;
      const coded = AgentRuntimeClientError.isInstance(error) ? error : undefined;
      this.emitLocal('error', { message: `Could not reload session "${sessionId}" after a resync.`, code: coded?.code ?? 'RESYNC_REQUIRED', sessionId });
    } finally {
      entry.resyncing = false;
      const buffered = entry.buffer;
      entry.buffer = [];
      for (const event of buffered) {
        if (event.seq !== undefined && entry.lastSeq !== undefined && event.seq <= entry.lastSeq) continue;
        if (event.seq !== undefined) entry.lastSeq = event.seq;
        this.dispatch(event);
      }
    }
  }

  private dispatch(event: AnyServerEvent & { seq?: number }): void {
    const meta: EventMeta = event.seq === undefined ? {} : { seq: event.seq };
    for (const handler of [...(this.handlers.get(event.event) ?? [])]) {
      try {
        handler(event.data as never, meta);
      } catch {
        // a handler's failure is its own
      }
    }
    for (const handler of [...this.anyHandlers]) {
      try {
        handler(event);
      } catch {
        // idem
      }
    }
  }

  private emitLocal<E extends ClientEventName>(event: E, data: ClientEventMap[E]): void {
    for (const handler of [...(this.handlers.get(event) ?? [])]) {
      try {
        handler(data as never, {});
      } catch {
        // idem
      }
    }
  }
}
