import { AgentRuntimeError, unsupportedOperationError, type Logger, type SessionListData } from '@agent-runtime/core';
import type { BusEvent, ReplayResult, SessionEngine } from '@agent-runtime/session-engine';
import { answerRequest, isSessionActionAllowed, type Principal } from '@agent-runtime/transport-fastify';
import type { Server, Socket } from 'socket.io';
import { parseClientArguments, type Acknowledge } from './client-arguments.js';
import type { ResolvedSocketIoOptions } from './options.js';

/** The `session:join` acknowledgement (the raw WebSocket's, field for field). */
export interface SocketIoJoinResult {
  success: true;
  latestSeq: number;
  /** Events sent after the ack because the client asked for them with `since`. */
  replayed: number;
  /** The gap was outside the replay window: a `session:resync` event follows. */
  resync?: true;
}

/** The second argument of every session event: its per-session sequence number. */
export interface EventMeta {
  seq: number;
}

interface JoinedState {
  /** The last sequence number sent to this client for the session. */
  lastSeq: number;
  /** Live events that arrived while a replay was being read; sent after it. */
  held?: BusEvent[];
}

interface ClientState {
  socket: Socket;
  principal: Principal;
  joined: Map<string, JoinedState>;
  /** Filtered `sessions:list` sends, chained so a late list never overtakes a newer one. */
  lists: Promise<void>;
}

/**
 * Serves one engine's events to Socket.IO clients, as the raw WebSocket hub does: `sessions:list`
 * (and other events of no session) to every client, session events to the clients joined to
 * that session, each at most once and in `seq` order. Event names and payloads are the
 * reference's; the `seq` travels as a second argument (`{ seq }`) that one-argument listeners ignore.
 */
export class SocketIoBridge {
  private readonly clients = new Map<string, ClientState>();
  private readonly bySession = new Map<string, Set<ClientState>>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly io: Server,
    private readonly engine: SessionEngine,
    private readonly options: ResolvedSocketIoOptions,
    private readonly log: Logger,
  ) {}

  /** Number of connected Socket.IO clients. */
  get clientCount(): number {
    return this.clients.size;
  }

  start(): void {
    this.unsubscribe ??= this.engine.events.subscribe((event) => this.dispatch(event));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.clients.clear();
    this.bySession.clear();
  }

  /** Takes over a client that passed authentication. */
  accept(socket: Socket, principal: Principal): void {
    const client: ClientState = { socket, principal, joined: new Map(), lists: Promise.resolve() };
    this.clients.set(socket.id, client);
    socket.on('session:join', (...args: unknown[]) => this.onJoin(client, args));
    socket.on('session:leave', (...args: unknown[]) => this.onLeave(client, args));
    socket.on('session:warm', (...args: unknown[]) => this.onWarm(client, args));
    socket.on('session:permission:respond', (...args: unknown[]) => this.onRespond(client, 'permission', args));
    socket.on('session:question:respond', (...args: unknown[]) => this.onRespond(client, 'question', args));
    socket.on('disconnect', () => this.remove(client));
  }

  private onLeave(client: ClientState, args: unknown[]): void {
    const parsed = parseClientArguments('session:leave', args);
    if (!parsed.ok) return this.refuse(client, parsed.error, parsed.acknowledge);
    this.unsubscribeFrom(client, parsed.sessionId);
    parsed.acknowledge?.({ success: true });
  }

  /** `(sessionId, callback?)`: the user started typing; acked `{ success, warming }` as the raw WebSocket's `session:warm`. */
  private onWarm(client: ClientState, args: unknown[]): void {
    const parsed = parseClientArguments('session:warm', args);
    if (!parsed.ok) return this.refuse(client, parsed.error, parsed.acknowledge);
    const { sessionId, acknowledge } = parsed;
    this.warm(client, sessionId)
      .then((warming) => acknowledge?.({ success: true, warming }))
      .catch((error: unknown) => {
        const coded = AgentRuntimeError.isInstance(error) ? error : new AgentRuntimeError('INTERNAL_ERROR', 'Internal server error.', { cause: error });
        if (!AgentRuntimeError.isInstance(error)) this.log.error({ err: error }, 'Socket.IO warm failed');
        this.refuse(client, coded, acknowledge, sessionId);
      });
  }

  /** Warming is the first half of sending a message: it needs the `message` right. */
  private async warm(client: ClientState, sessionId: string): Promise<boolean> {
    if (!(await isSessionActionAllowed(this.options.authorizeSession, client.principal, sessionId, 'message'))) {
      throw new AgentRuntimeError('FORBIDDEN', `Not allowed to warm session "${sessionId}".`, { details: { sessionId, action: 'message' } });
    }
    const warmSession = this.engine.warmSession?.bind(this.engine);
    if (!warmSession) throw unsupportedOperationError('engine', 'warmSession');
    const { warming } = await warmSession(sessionId);
    return warming;
  }

  /** `(sessionId, requestId, answer, callback?)`: answered as `POST /sessions/:id/permissions|questions/:requestId`. */
  private onRespond(client: ClientState, kind: 'permission' | 'question', args: unknown[]): void {
    const acknowledge = typeof args.at(-1) === 'function' ? (args.at(-1) as Acknowledge) : undefined;
    const [sessionId, requestId, answer] = acknowledge ? args.slice(0, -1) : args;
    answerRequest({ engine: this.engine, authorizeSession: this.options.authorizeSession }, client.principal, kind, sessionId, requestId, answer)
      .then((result) => acknowledge?.({ ...result }))
      .catch((error: unknown) => {
        const coded = AgentRuntimeError.isInstance(error) ? error : new AgentRuntimeError('INTERNAL_ERROR', 'Internal server error.', { cause: error });
        if (!AgentRuntimeError.isInstance(error)) this.log.error({ err: error }, 'Socket.IO answer failed');
        this.refuse(client, coded, acknowledge, typeof sessionId === 'string' ? sessionId : undefined);
      });
  }

  private onJoin(client: ClientState, args: unknown[]): void {
    const parsed = parseClientArguments('session:join', args);
    if (!parsed.ok) return this.refuse(client, parsed.error, parsed.acknowledge);
    const { sessionId, since, acknowledge } = parsed;
    this.checkJoin(client, sessionId)
      .then(async () => {
        if (!client.socket.connected) return;
        const result = await this.join(client, sessionId, since, acknowledge);
        this.log.debug({ sessionId, since, ...result }, 'Socket.IO client joined');
      })
      .catch((error: unknown) => {
        const coded = AgentRuntimeError.isInstance(error)
          ? error
          : new AgentRuntimeError('INTERNAL_ERROR', 'Internal server error.', { cause: error });
        if (!AgentRuntimeError.isInstance(error)) this.log.error({ err: error }, 'Socket.IO join failed');
        this.refuse(client, coded, acknowledge, sessionId);
      });
  }

  private async checkJoin(client: ClientState, sessionId: string): Promise<void> {
    if (!(await isSessionActionAllowed(this.options.authorizeSession, client.principal, sessionId, 'join'))) {
      throw new AgentRuntimeError('FORBIDDEN', `Not allowed to join session "${sessionId}".`, { details: { sessionId, action: 'join' } });
    }
    if (this.engine.listSessions().some((session) => session.sessionId === sessionId)) return;
    await this.engine.getSession(sessionId); // rejects with SESSION_NOT_FOUND
  }

  /**
   * Subscribe at once (live events are held while the replay is read), ack, send the replay,
   * then the held events, then the session's current status — each `seq` exactly once, in order.
   */
  private async join(client: ClientState, sessionId: string, since: number | undefined, acknowledge: Acknowledge | undefined): Promise<SocketIoJoinResult> {
    const events = this.engine.events;
    const earlier = client.joined.get(sessionId);
    if (since === undefined) {
      const latestSeq = events.latestSeq(sessionId);
      if (!earlier) this.subscribe(client, sessionId, latestSeq);
      const result: SocketIoJoinResult = { success: true, latestSeq, replayed: 0 };
      acknowledge?.(result);
      this.sendStatus(client, sessionId);
      return result;
    }
    const state = earlier ?? this.subscribe(client, sessionId, since);
    state.held ??= [];
    let replay: ReplayResult;
    try {
      replay = await events.replay(sessionId, since);
    } catch (error) {
      this.release(client, state);
      throw error;
    }
    const latestSeq = Math.max(replay.latestSeq, events.latestSeq(sessionId));
    const tooMany = replay.kind === 'events' && replay.events.length > this.options.maxReplayEvents;
    if (since > latestSeq || replay.kind === 'resync' || tooMany) {
      const reason =
        since > latestSeq
          ? `since ${since} is ahead of the server's latest sequence ${latestSeq} (the server restarted?)`
          : replay.kind === 'resync'
            ? `events after ${since} are no longer in the replay window (oldest kept: ${replay.oldestSeq})`
            : `more than ${this.options.maxReplayEvents} events were missed`;
      state.lastSeq = Math.max(state.lastSeq, latestSeq);
      const result: SocketIoJoinResult = { success: true, latestSeq, replayed: 0, resync: true };
      acknowledge?.(result);
      client.socket.emit('session:resync', { sessionId, latestSeq, reason });
      this.release(client, state);
      this.sendStatus(client, sessionId);
      return result;
    }
    const result: SocketIoJoinResult = { success: true, latestSeq, replayed: replay.events.length };
    acknowledge?.(result);
    for (const event of replay.events) this.send(client, state, event);
    this.release(client, state);
    this.sendStatus(client, sessionId);
    return result;
  }

  /** Send the live events held during a replay (those not replayed), and stop holding. */
  private release(client: ClientState, state: JoinedState): void {
    const held = state.held ?? [];
    delete state.held;
    for (const event of held) this.send(client, state, event);
  }

  /** The session's current status after the ack and any replay (no seq: it repeats, it is not new). */
  private sendStatus(client: ClientState, sessionId: string): void {
    const session = this.engine.listSessions().find((candidate) => candidate.sessionId === sessionId);
    if (session) client.socket.emit('session:status', { sessionId, status: session.status });
  }

  private refuse(client: ClientState, error: AgentRuntimeError, acknowledge: Acknowledge | undefined, sessionId?: string): void {
    const data = sessionId === undefined ? { message: error.message, code: error.code } : { message: error.message, code: error.code, sessionId };
    client.socket.emit('error', data);
    acknowledge?.({ success: false, error: { code: error.code, message: error.message } });
  }

  private subscribe(client: ClientState, sessionId: string, lastSeq: number): JoinedState {
    const state: JoinedState = { lastSeq };
    client.joined.set(sessionId, state);
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(client);
    return state;
  }

  private unsubscribeFrom(client: ClientState, sessionId: string): void {
    client.joined.delete(sessionId);
    const set = this.bySession.get(sessionId);
    set?.delete(client);
    if (set?.size === 0) this.bySession.delete(sessionId);
  }

  private remove(client: ClientState): void {
    if (!this.clients.delete(client.socket.id)) return;
    for (const sessionId of [...client.joined.keys()]) this.unsubscribeFrom(client, sessionId);
  }

  /** A live event for a joined client: held during a replay, else sent. */
  private deliver(client: ClientState, event: BusEvent): void {
    const state = client.joined.get(event.sessionId ?? '');
    if (!state) return;
    if (state.held) state.held.push(event);
    else this.send(client, state, event);
  }

  /** Sends one session event unless the client already has it; drops a client that stopped reading. */
  private send(client: ClientState, state: JoinedState, event: BusEvent): void {
    if (event.seq === undefined || event.seq <= state.lastSeq) return;
    const buffered = (client.socket.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
    if (buffered > this.options.maxBufferedPackets) {
      this.log.warn({ buffered }, 'disconnecting slow Socket.IO client');
      this.remove(client);
      client.socket.disconnect(true);
      return;
    }
    state.lastSeq = event.seq;
    const meta: EventMeta = { seq: event.seq };
    client.socket.emit(event.event, event.data, meta);
  }

  private dispatch(event: BusEvent): void {
    if (event.sessionId === undefined || event.seq === undefined) {
      if (event.event === 'sessions:list' && this.options.authorizeSession) {
        this.sendFilteredList(event.data.sessions);
        return;
      }
      this.io.emit(event.event, event.data);
      return;
    }
    const subscribers = this.bySession.get(event.sessionId);
    if (!subscribers) return;
    for (const client of [...subscribers]) this.deliver(client, event);
  }

  /** With `authorizeSession`, each client sees only the sessions it may read, lists in order. */
  private sendFilteredList(sessions: SessionListData[]): void {
    for (const client of this.clients.values()) {
      const filtered = Promise.all(
        sessions.map(async (session) =>
          (await isSessionActionAllowed(this.options.authorizeSession, client.principal, session.sessionId, 'read')) ? session : undefined,
        ),
      );
      client.lists = client.lists.then(async () => {
        const allowed = await filtered;
        client.socket.emit('sessions:list', { sessions: allowed.filter((session) => session !== undefined) });
      });
    }
  }
}
