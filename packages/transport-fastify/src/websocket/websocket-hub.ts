import { AgentRuntimeError, type SessionListData } from '@agent-runtime/core';
import type { BusEvent } from '@agent-runtime/core';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { authorize } from '../auth.js';
import { answerRequest } from '../http/approval-answers.js';
import { boundedSession } from '../http/bounded-session.js';
import type { RuntimeMetrics } from '../observability/metrics.js';
import type { Principal, ResolvedPluginOptions } from '../options.js';
import { Connection, LIMIT_EXCEEDED_CLOSE_CODE } from './connection.js';
import { ackFrame, errorEventFrame, eventFrame, failedAckFrame } from './frames.js';
import { parseClientFrame, type ClientCommand } from './parse-client-frame.js';

export interface JoinResult {
  success: true;
  latestSeq: number;
  /** Events sent after the ack because the client asked for them with `since`. */
  replayed: number;
  /** The gap was outside the replay window: a `session:resync` event follows. */
  resync?: true;
}

/**
 * All WebSocket clients of one server. Subscribes once to the engine's bus; serializes each event
 * once and sends the same string to every socket that should get it: `sessions:list` (and other
 * events of no session) to all, session events to the sockets joined to that session.
 */
export class WebSocketHub {
  readonly connections = new Set<Connection>();
  private readonly bySession = new Map<string, Set<Connection>>();
  private readonly byPrincipal = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Numbers `sessions:list` frames, so a filtered list resolved late never overwrites a newer one. */
  private listGeneration = 0;

  constructor(
    private readonly options: ResolvedPluginOptions,
    private readonly log: FastifyBaseLogger,
    private readonly metrics?: RuntimeMetrics,
  ) {}

  /** Open connections of one principal (for `limits.connectionsPerPrincipal`). */
  connectionsOf(principalKey: string): number {
    return this.byPrincipal.get(principalKey) ?? 0;
  }

  /** Throws 429 `LIMIT_EXCEEDED` when `principalKey` holds as many connections as allowed. */
  assertConnectionAllowed(principalKey: string): void {
    const max = this.options.limits.connectionsPerPrincipal;
    if (this.connectionsOf(principalKey) >= max) {
      throw new AgentRuntimeError('LIMIT_EXCEEDED', `At most ${max} WebSocket connections per principal.`, {
        details: { limit: 'connectionsPerPrincipal', max },
      });
    }
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.options.engine.events.subscribe((event) => this.dispatch(event));
    if (this.options.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Stops delivery and closes every socket with 1001. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const connection of this.connections) connection.close(1001, 'server shutting down');
    this.connections.clear();
    this.bySession.clear();
  }

  /** Takes over an upgraded socket. */
  accept(socket: WebSocket, principal: Principal, principalKey = ''): Connection | undefined {
    try {
      // Checked before the upgrade too; this catches upgrades that raced each other.
      this.assertConnectionAllowed(principalKey);
    } catch (error) {
      socket.close(LIMIT_EXCEEDED_CLOSE_CODE, (error as Error).message.slice(0, 120));
      return undefined;
    }
    this.byPrincipal.set(principalKey, this.connectionsOf(principalKey) + 1);
    const connection = new Connection(
      socket,
      principal,
      principalKey,
      { maxQueuedFrames: this.options.maxQueuedFramesPerSocket, maxBufferedBytes: this.options.maxBufferedBytesPerSocket },
      (dropped, reason) => {
        this.log.warn({ reason, queuedFrames: dropped.queuedFrames }, 'dropping slow WebSocket client');
        this.remove(dropped);
      },
    );
    this.connections.add(connection);
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('message', (data, isBinary) => {
      connection.alive = true;
      const parsed = parseClientFrame(data as Buffer, isBinary, this.options.maxMessageBytes);
      if (!parsed.ok) {
        this.refuse(connection, parsed.error, parsed.ack);
        return;
      }
      this.handle(connection, parsed.command).catch((error: unknown) => {
        const coded = AgentRuntimeError.isInstance(error)
          ? error
          : new AgentRuntimeError('INTERNAL_ERROR', 'Internal server error.', { cause: error });
        if (!AgentRuntimeError.isInstance(error)) this.log.error({ err: error }, 'WebSocket command failed');
        this.refuse(connection, coded, parsed.command.ack, parsed.command.sessionId);
      });
    });
    socket.on('close', () => this.remove(connection));
    return connection;
  }

  private refuse(connection: Connection, error: AgentRuntimeError, ack: number | undefined, sessionId?: string): void {
    connection.send(errorEventFrame(error, sessionId));
    if (ack !== undefined) connection.send(failedAckFrame(ack, error));
  }

  private async handle(connection: Connection, command: ClientCommand): Promise<void> {
    if (command.event === 'session:leave') {
      this.unsubscribeFrom(connection, command.sessionId);
      if (command.ack !== undefined) connection.send(ackFrame(command.ack, { success: true }));
      return;
    }
    if (command.event !== 'session:join') {
      const kind = command.event === 'session:permission:respond' ? 'permission' : 'question';
      const result = await answerRequest(this.options, connection.principal, kind, command.sessionId, command.requestId, command.answer);
      if (command.ack !== undefined) connection.send(ackFrame(command.ack, { ...result }));
      return;
    }
    await authorize(this.options.authorizeSession, connection.principal, command.sessionId, 'join');
    await this.assertSessionExists(command.sessionId);
    if (connection.closed) return;
    const result = await this.join(connection, command.sessionId, command.since, command.ack);
    this.log.debug({ sessionId: command.sessionId, since: command.since, ...result }, 'WebSocket client joined');
  }

  /**
   * Subscribe the socket at once (live events are held while the replay is read from the event
   * log), ack, send the replay, then the held events, then the session's current status — each
   * `seq` exactly once, in order.
   */
  private async join(connection: Connection, sessionId: string, since: number | undefined, ack: number | undefined): Promise<JoinResult> {
    const events = this.options.engine.events;
    const sendAck = (result: JoinResult) => {
      if (ack !== undefined) connection.send(ackFrame(ack, { ...result }));
    };
    const earlier = connection.joined.get(sessionId);
    if (since === undefined) {
      const latestSeq = events.latestSeq(sessionId);
      if (!earlier) this.subscribe(connection, sessionId, latestSeq);
      const result: JoinResult = { success: true, latestSeq, replayed: 0 };
      sendAck(result);
      this.sendStatus(connection, sessionId);
      return result;
    }
    const state = earlier ?? this.subscribe(connection, sessionId, since);
    state.held ??= [];
    let replay;
    try {
      replay = await events.replay(sessionId, since, this.options.maxReplayEvents);
    } catch (error) {
      this.release(connection, state);
      throw error;
    }
    const latestSeq = Math.max(replay.latestSeq, events.latestSeq(sessionId));
    if (since > latestSeq || replay.kind === 'resync') {
      const reason =
        since > latestSeq
          ? `since ${since} is ahead of the server's latest sequence ${latestSeq}`
          : latestSeq - since > this.options.maxReplayEvents
            ? `more than ${this.options.maxReplayEvents} events were missed`
            : `events after ${since} are no longer in the replay window (oldest kept: ${replay.kind === 'resync' ? replay.oldestSeq : since})`;
      state.lastSeq = Math.max(state.lastSeq, latestSeq);
      const result: JoinResult = { success: true, latestSeq, replayed: 0, resync: true };
      sendAck(result);
      connection.send(eventFrame('session:resync', { sessionId, latestSeq, reason }));
      this.release(connection, state);
      this.sendStatus(connection, sessionId);
      return result;
    }
    const result: JoinResult = { success: true, latestSeq, replayed: replay.events.length };
    sendAck(result);
    for (const event of replay.events) {
      if (event.seq === undefined || event.seq <= state.lastSeq) continue;
      state.lastSeq = event.seq;
      connection.send(eventFrame(event.event, event.data, event.seq));
    }
    this.release(connection, state);
    this.sendStatus(connection, sessionId);
    return result;
  }

  /** Send the live events held during a replay (those not replayed), and stop holding. */
  private release(connection: Connection, state: { lastSeq: number; held?: { seq: number; text: string }[] }): void {
    const held = state.held ?? [];
    delete state.held;
    for (const event of held) {
      if (event.seq <= state.lastSeq) continue;
      state.lastSeq = event.seq;
      connection.send(event.text);
    }
  }

  /** The session's current status, after the ack and any replay (no seq: it repeats, it is not new). */
  private sendStatus(connection: Connection, sessionId: string): void {
    const session = this.options.engine.listSessions().find((candidate) => candidate.sessionId === sessionId);
    if (session) connection.send(eventFrame('session:status', { sessionId, status: session.status }));
  }

  private async assertSessionExists(sessionId: string): Promise<void> {
    const engine = this.options.engine;
    if (engine.listSessions().some((session) => session.sessionId === sessionId)) return;
    await engine.getSession(sessionId); // rejects with SESSION_NOT_FOUND
  }

  private subscribe(connection: Connection, sessionId: string, lastSeq: number): { lastSeq: number; held?: { seq: number; text: string }[] } {
    const state = { lastSeq };
    connection.joined.set(sessionId, state);
    let set = this.bySession.get(sessionId);
    if (!set) {
      set = new Set();
      this.bySession.set(sessionId, set);
    }
    set.add(connection);
    return state;
  }

  private unsubscribeFrom(connection: Connection, sessionId: string): void {
    connection.joined.delete(sessionId);
    const set = this.bySession.get(sessionId);
    set?.delete(connection);
    if (set?.size === 0) this.bySession.delete(sessionId);
  }

  private remove(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    const count = this.connectionsOf(connection.principalKey) - 1;
    if (count > 0) this.byPrincipal.set(connection.principalKey, count);
    else this.byPrincipal.delete(connection.principalKey);
    for (const sessionId of [...connection.joined.keys()]) this.unsubscribeFrom(connection, sessionId);
  }

  private dispatch(event: BusEvent): void {
    this.metrics?.observe(event);
    if (event.sessionId === undefined || event.seq === undefined) {
      if (event.event === 'sessions:list') {
        const sessions = event.data.sessions.map(boundedSession);
        if (this.options.authorizeSession) this.sendFilteredList(sessions);
        else {
          const text = eventFrame('sessions:list', { sessions });
          for (const connection of this.connections) connection.send(text);
        }
        return;
      }
      const text = eventFrame(event.event, event.data);
      for (const connection of this.connections) connection.send(text);
      return;
    }
    const subscribers = this.bySession.get(event.sessionId);
    if (!subscribers) return;
    let text: string | undefined;
    let last: Connection | undefined;
    for (const connection of subscribers) {
      const state = connection.joined.get(event.sessionId);
      if (!state || event.seq <= state.lastSeq) continue;
      text ??= eventFrame(event.event, event.data, event.seq);
      if (state.held) {
        state.held.push({ seq: event.seq, text });
        continue;
      }
      state.lastSeq = event.seq;
      if (connection.send(text)) last = connection;
    }
    // Lag is measured once per event, on the last socket served: publish -> written to the kernel.
    const metrics = this.metrics;
    if (last && metrics) {
      const publishedAt = Date.now();
      last.onFlushed(() => metrics.observeLag(publishedAt));
    }
  }

  /** With `authorizeSession`, each client sees only the sessions it may read. */
  private sendFilteredList(sessions: SessionListData[]): void {
    const authorizeSession = this.options.authorizeSession;
    if (!authorizeSession) return;
    const generation = ++this.listGeneration;
    for (const connection of this.connections) {
      void Promise.all(
        sessions.map(async (session) => {
          try {
            return (await authorizeSession(connection.principal, session.sessionId, 'read')) === true ? session : undefined;
          } catch {
            return undefined;
          }
        }),
      ).then((allowed) => {
        if (connection.listGeneration > generation) return;
        connection.listGeneration = generation;
        connection.send(eventFrame('sessions:list', { sessions: allowed.filter((session) => session !== undefined) }));
      });
    }
  }

  private beat(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        this.log.info({}, 'dropping WebSocket client that missed a heartbeat');
        this.remove(connection);
        connection.closed = true;
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      try {
        connection.socket.ping();
      } catch {
        // closed meanwhile; 'close' cleans up
      }
    }
  }
}
