import type {
  AnswerPermissionRequest,
  AnswerQuestionRequest,
  AnswerRequestResponse,
  PermissionResolution,
  QuestionResolution,
  RuntimeSessionData,
} from '@agent-runtime/core';
import { AckTracker, type AckResult } from './ack-tracker.js';
import { AgentRuntimeClientError } from './client-error.js';
import { consoleLogger, EventHandlers } from './event-handlers.js';
import { parseServerFrame } from './parse-server-frame.js';
import { ReconnectingConnection, type ConnectionState } from './reconnecting-connection.js';
import { SessionSubscriptions } from './session-subscriptions.js';
import {
  realTimers,
  type ClientEventHandler,
  type ClientEventName,
  type ClientLogger,
  type JoinAck,
  type ReconnectOptions,
  type ServerEventFrame,
  type Timers,
  type WebSocketConstructor,
} from './socket-types.js';

export * from './socket-types.js';

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
  /** Where `client:error` reports go when nobody listens to them. Default: `console.error`. */
  logger?: ClientLogger;
  /** Timers for backoff and ack timeouts. Default: the global ones. */
  timers?: Timers;
}

/**
 * A reconnecting WebSocket for the agent-runtime protocol. `join` a session, listen with `on`;
 * after a dropped connection it reconnects with backoff and re-joins every session with
 * `since: <last seq seen>`, so handlers see every event exactly once, in order. When the server's
 * replay window no longer holds the gap, or its numbering went backwards, it reloads the session
 * and emits `session:resynced`. Every frame is checked against core's schemas; a malformed one is
 * dropped and reported on `client:error`.
 *
 * The parts, one job each: `ReconnectingConnection` (open, backoff), `parseServerFrame`,
 * `AckTracker` (acks and their timeouts), `SessionSubscriptions` (joins, seq, resync),
 * `EventHandlers` (delivery, failing handlers reported).
 */
export class AgentRuntimeSocket {
  private readonly connection: ReconnectingConnection;
  private readonly acks: AckTracker;
  private readonly handlers: EventHandlers;
  private readonly subscriptions: SessionSubscriptions;

  constructor(options: AgentRuntimeSocketOptions) {
    const implementation = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!implementation) {
      throw new AgentRuntimeClientError('INVALID_CONFIG', 'No WebSocket available: pass options.WebSocket (e.g. the `ws` package on Node < 22).');
    }
    const timers = options.timers ?? realTimers;
    this.handlers = new EventHandlers(options.logger ?? consoleLogger);
    this.acks = new AckTracker(options.ackTimeoutMs ?? 15_000, timers);
    this.connection = new ReconnectingConnection({
      url: options.url,
      WebSocket: implementation,
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
      timers,
      onOpen: (reconnected) => {
        this.subscriptions.rejoinAll();
        this.handlers.emitLocal('connection:open', { reconnected });
      },
      onMessage: (data) => this.receive(data),
      onClose: (event) => {
        this.acks.failAll(new AgentRuntimeClientError('DISCONNECTED', 'The connection dropped.'));
        this.handlers.emitLocal('connection:close', event);
      },
    });
    this.subscriptions = new SessionSubscriptions({
      isOpen: () => this.connection.isOpen,
      connect: () => void this.connection.connect().catch(() => {}),
      sendJoin: (sessionId, since) => this.emitWithAck('session:join', since === undefined ? [sessionId] : [sessionId, { since }]),
      sendLeave: async (sessionId) => {
        await this.emitWithAck('session:leave', [sessionId]);
      },
      deliver: (frame) => this.handlers.deliver(frame),
      resynced: (sessionId, session) => this.handlers.emitLocal('session:resynced', { sessionId, session }),
      sessionError: (error) => this.handlers.emitLocal('error', error),
      report: (report) => this.handlers.report(report),
      loadSession: options.loadSession,
    });
  }

  /** `idle`, `connecting`, `open`, `reconnecting` or `closed`. */
  get state(): ConnectionState {
    return this.connection.state;
  }

  /** Opens the connection (resolves once open; later drops reconnect on their own). */
  connect(): Promise<void> {
    return this.connection.connect();
  }

  /** Joins a session (counted: the server is left when every joiner has left). */
  join(sessionId: string, options: { since?: number } = {}): Promise<JoinAck> {
    return this.subscriptions.join(sessionId, options);
  }

  /** Leaves a session (when the last joiner leaves). */
  leave(sessionId: string): Promise<void> {
    return this.subscriptions.leave(sessionId);
  }

  /**
   * Warms a session over the socket (`session:warm`, acked `{ success, warming }`), as
   * `POST /sessions/:sessionId/warm` does. Rejects with the server's code when the ack says it failed.
   */
  warmSession(sessionId: string): Promise<{ success: true; warming: boolean }> {
    return this.respond('session:warm', [sessionId]);
  }

  /**
   * Answers a permission request over the socket (`session:permission:respond`, same body and
   * result as `POST /sessions/:sessionId/permissions/:requestId`). Rejects with the server's code
   * (REQUEST_NOT_FOUND, FORBIDDEN, VALIDATION_FAILED...) when the ack says it failed.
   */
  answerPermission(sessionId: string, requestId: string, answer: AnswerPermissionRequest): Promise<AnswerRequestResponse<PermissionResolution>> {
    return this.respond('session:permission:respond', [sessionId, requestId, answer]);
  }

  /** Answers an agent question over the socket (`session:question:respond`). */
  answerQuestion(sessionId: string, requestId: string, answer: AnswerQuestionRequest): Promise<AnswerRequestResponse<QuestionResolution>> {
    return this.respond('session:question:respond', [sessionId, requestId, answer]);
  }

  /** The last sequence number delivered for a session. */
  lastSeq(sessionId: string): number | undefined {
    return this.subscriptions.lastSeq(sessionId);
  }

  on<E extends ClientEventName>(event: E, handler: ClientEventHandler<E>): () => void {
    return this.handlers.on(event, handler);
  }

  off<E extends ClientEventName>(event: E, handler: ClientEventHandler<E>): void {
    this.handlers.off(event, handler);
  }

  /** Every server event (after de-duplication), for state folding. */
  onAny(handler: (event: ServerEventFrame) => void): () => void {
    return this.handlers.onAny(handler);
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.connection.close();
    this.acks.failAll(new AgentRuntimeClientError('DISCONNECTED', 'The socket was closed.'));
  }

  /** Drops the connection as a network failure would (reconnects). For tests and "retry now" buttons. */
  reconnectNow(): void {
    this.connection.drop();
  }

  private async respond<Result>(event: string, args: unknown[]): Promise<Result> {
    const result = await this.emitWithAck(event, args);
    if (result.success) return result as unknown as Result;
    const error = result.error as { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
    throw new AgentRuntimeClientError(error?.code ?? 'REQUEST_FAILED', error?.message ?? `${event} failed.`, {
      ...(error?.details && typeof error.details === 'object' ? { details: error.details } : {}),
    });
  }

  private emitWithAck(event: string, args: unknown[]): Promise<AckResult> {
    if (!this.connection.isOpen) return Promise.reject(new AgentRuntimeClientError('DISCONNECTED', 'Not connected.'));
    return this.acks.request(event, (ack) => this.connection.send(JSON.stringify({ event, args, ack })));
  }

  private receive(raw: unknown): void {
    const parsed = parseServerFrame(raw);
    switch (parsed.kind) {
      case 'invalid':
        this.handlers.report(parsed.report);
        return;
      case 'ack':
        this.acks.settle(parsed.ack, parsed.result);
        return;
      case 'event':
        this.subscriptions.receive(parsed.frame);
        return;
    }
  }
}
