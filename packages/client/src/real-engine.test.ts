// The client against the real engine: SessionManager (memory persistence, testkit's fake sandbox
// and scripted architecture) behind the real transport-fastify plugin. No fake engine.
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  applySessionEvent,
  createAgentRuntimeClient,
  createSessionState,
  mainBlocks,
  type AgentRuntimeClient,
  type AgentRuntimeSocket,
  type ClientErrorReport,
  type ServerEventFrame,
  type SessionState,
  type WebSocketConstructor,
} from './index.js';
import { echoTurn, startRealEngineServer, type RealEngineServer } from './testing/real-engine-server.js';

let server: RealEngineServer | undefined;
const clients: AgentRuntimeClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

function newClient(baseUrl: string, options: Partial<Parameters<typeof createAgentRuntimeClient>[0]> = {}): AgentRuntimeClient {
  const client = createAgentRuntimeClient({ baseUrl, WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { initialDelayMs: 5, maxDelayMs: 20 }, ...options });
  clients.push(client);
  return client;
}

/** Resolves with the first event (from now on) that matches. */
function nextEvent(socket: AgentRuntimeSocket, match: (event: ServerEventFrame) => boolean): Promise<ServerEventFrame> {
  return new Promise((resolve) => {
    const off = socket.onAny((event) => {
      if (!match(event)) return;
      off();
      resolve(event);
    });
  });
}

/** A socket joined from the snapshot, folding every event; `seqs` and `reports` recorded. */
async function follow(client: AgentRuntimeClient, sessionId: string) {
  const socket = client.socket();
  const watched = { state: createSessionState(await client.getSession(sessionId)) as SessionState, seqs: [] as number[], reports: [] as ClientErrorReport[] };
  socket.onAny((event) => {
    if (event.seq !== undefined && (event.data as { sessionId?: string }).sessionId === sessionId) watched.seqs.push(event.seq);
    watched.state = applySessionEvent(watched.state, event);
  });
  socket.on('session:resynced', ({ session }) => {
    watched.state = createSessionState(session);
  });
  socket.on('client:error', (report) => watched.reports.push(report));
  const joinedFrom = watched.state.lastSeq;
  const ack = await socket.join(sessionId, { since: joinedFrom });
  return { socket, watched, ack, joinedFrom };
}

/** Resolves once `condition` holds after an event or a resync (checked on each). */
function until(socket: AgentRuntimeSocket, condition: () => boolean): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (!condition()) return;
      offAny();
      offResynced();
      resolve();
    };
    const offAny = socket.onAny(check);
    const offResynced = socket.on('session:resynced', check);
  });
}

/** Resolves once the folded state has caught up with the server's snapshot, and returns the snapshot. */
async function caughtUp(client: AgentRuntimeClient, socket: AgentRuntimeSocket, watched: { state: SessionState }, sessionId: string) {
  const snapshot = await client.getSession(sessionId);
  if (watched.state.lastSeq < (snapshot.lastEventSeq ?? 0)) {
    await nextEvent(socket, () => watched.state.lastSeq >= (snapshot.lastEventSeq ?? 0));
  }
  return snapshot;
}

describe('client against the real SessionManager', () => {
  it('runs a turn: every event once and in order, and the folded state equals GET /sessions/:id', async () => {
    server = await startRealEngineServer(echoTurn({ deltas: 4 }));
    const client = newClient(server.baseUrl);
    const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const { socket, watched, joinedFrom } = await follow(client, sessionId);
    const turnEnd = nextEvent(socket, (event) => event.event === 'session:turn:end');
    const sent = await client.sendMessage(sessionId, 'hello engine');
    expect((await turnEnd).data).toMatchObject({ sessionId, outcome: 'completed' });
    const snapshot = await caughtUp(client, socket, watched, sessionId);
    expect(mainBlocks(watched.state)).toEqual(snapshot.blocks);
    expect(snapshot.blocks.map((block) => [block.type, (block as { content?: unknown }).content])).toEqual([
      ['user_message', 'hello engine'],
      ['assistant_text', 'echo: hello engine.1.2'],
    ]);
    expect(watched.state.files).toEqual(snapshot.workspaceFiles);
    expect(watched.state.files.map((file) => file.path)).toContain('out.txt');
    expect(watched.state.status).toBe(snapshot.status);
    expect(watched.state.lastTurn).toMatchObject({ outcome: 'completed' });
    expect(watched.state.metadata).toMatchObject({ model: 'scripted' });
    expect(watched.state.lastTurn?.turnId).toBeDefined();
    expect(sent.clientMessageId).toEqual(expect.any(String));
    expect(watched.seqs).toEqual(watched.seqs.map((_, index) => joinedFrom + 1 + index));
    expect(watched.seqs.at(-1)).toBe(snapshot.lastEventSeq);
    expect(watched.reports).toEqual([]);
  });

  it('a retried clientMessageId (the first response lost) is acknowledged twice and runs once', async () => {
    server = await startRealEngineServer();
    let lost = false;
    const client = newClient(server.baseUrl, {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/message') && !lost) {
          lost = true;
          throw new TypeError('socket hang up'); // the runtime got it, the answer was lost
        }
        return response;
      },
    });
    const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const { socket, watched } = await follow(client, sessionId);
    const turnStarts: string[] = [];
    socket.on('session:turn:start', (data) => turnStarts.push(data.clientMessageId ?? ''));
    const firstEnd = nextEvent(socket, (event) => event.event === 'session:turn:end');
    const result = await client.sendMessage(sessionId, 'only once', { clientMessageId: 'cm-1' });
    expect(result).toMatchObject({ success: true, clientMessageId: 'cm-1' });
    await firstEnd;
    // A second, later message proves nothing else was queued behind the first.
    const secondEnd = nextEvent(socket, (event) => event.event === 'session:turn:end');
    await client.sendMessage(sessionId, 'then this', { clientMessageId: 'cm-2' });
    await secondEnd;
    const snapshot = await caughtUp(client, socket, watched, sessionId);
    expect(turnStarts).toEqual(['cm-1', 'cm-2']);
    expect(snapshot.blocks.filter((block) => block.type === 'user_message').map((block) => block.content)).toEqual(['only once', 'then this']);
  });

  it('connections dropped mid-turn: re-joined with since, no gap and no duplicate, state equals the snapshot', async () => {
    const released: (() => void)[] = [];
    const gate = (_turn: number, chunk: number) => (chunk === 0 ? Promise.resolve() : new Promise<void>((resolve) => released.push(resolve)));
    server = await startRealEngineServer(echoTurn({ deltas: 6, gate }));
    const client = newClient(server.baseUrl);
    const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const { socket, watched, joinedFrom } = await follow(client, sessionId);
    const hub = server.app.agentRuntime.hub;
    let reconnects = 0;
    socket.on('connection:open', ({ reconnected }) => reconnected && reconnects++);
    const turnEnd = nextEvent(socket, (event) => event.event === 'session:turn:end');
    const firstDelta = nextEvent(socket, (event) => event.event === 'session:block:delta');
    await client.sendMessage(sessionId, 'drop me');
    await firstDelta;
    for (let chunk = 1; chunk < 6; chunk++) {
      // Drop every connection, then let the engine emit while the client is away.
      const closed = new Promise<void>((resolve) => {
        const off = socket.on('connection:close', () => {
          off();
          resolve();
        });
      });
      for (const connection of hub.connections) connection.socket.terminate();
      await closed;
      while (released.length === 0) await nextEventOrTick();
      const delivered = nextEvent(socket, (event) => event.event === 'session:block:delta');
      released.shift()!();
      await delivered; // reached the client after the reconnect, the re-join and its replay
    }
    await turnEnd;
    const snapshot = await caughtUp(client, socket, watched, sessionId);
    expect(reconnects).toBeGreaterThanOrEqual(1);
    expect(mainBlocks(watched.state)).toEqual(snapshot.blocks);
    expect(watched.seqs).toEqual(watched.seqs.map((_, index) => joinedFrom + 1 + index));
    expect(watched.seqs.at(-1)).toBe(snapshot.lastEventSeq);
    expect(watched.reports).toEqual([]);
  });

  it('a runtime restart (same data, same port): the client re-joins, catches up, and then receives every event live', async () => {
    const first = await startRealEngineServer();
    server = first;
    const client = newClient(first.baseUrl);
    const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const { socket, watched } = await follow(client, sessionId);
    const firstEnd = nextEvent(socket, (event) => event.event === 'session:turn:end');
    await client.sendMessage(sessionId, 'before the restart');
    await firstEnd;
    await caughtUp(client, socket, watched, sessionId);

    const reopened = new Promise<void>((resolve) => socket.on('connection:open', ({ reconnected }) => reconnected && resolve()));
    await first.close();
    server = await startRealEngineServer(echoTurn(), { persistence: first.persistence, port: first.port });
    await reopened;
    // The restarted runtime may number on (a durable event log) or from 1 again (it then says
    // session:resync, or its seqs simply go backwards): either way the next turn must reach the
    // client's state, as events or as the reloaded snapshot, and never be dropped as duplicates.
    await client.sendMessage(sessionId, 'after the restart');
    const replied = (state: SessionState) => mainBlocks(state).some((block) => block.type === 'assistant_text' && block.content === 'echo: after the restart');
    await until(socket, () => replied(watched.state));
    let snapshot = await caughtUp(client, socket, watched, sessionId);
    expect(mainBlocks(watched.state)).toEqual(snapshot.blocks);

    // From here on every event arrives live, numbered on from the state's lastSeq.
    const from = watched.state.lastSeq;
    const liveSeqs: number[] = [];
    socket.onAny((event) => event.seq !== undefined && liveSeqs.push(event.seq));
    const thirdEnd = nextEvent(socket, (event) => event.event === 'session:turn:end');
    await client.sendMessage(sessionId, 'third');
    expect((await thirdEnd).data).toMatchObject({ outcome: 'completed' });
    snapshot = await caughtUp(client, socket, watched, sessionId);
    expect(mainBlocks(watched.state)).toEqual(snapshot.blocks);
    expect(snapshot.blocks.filter((block) => block.type === 'user_message').map((block) => block.content)).toEqual(['before the restart', 'after the restart', 'third']);
    expect(liveSeqs).toEqual(liveSeqs.map((_, index) => from + 1 + index));
    expect(liveSeqs.at(-1)).toBe(snapshot.lastEventSeq);
    expect(watched.reports).toEqual([]);
  });
});

/** Lets the engine's pending work run (the gate is registered from within the turn). */
function nextEventOrTick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
