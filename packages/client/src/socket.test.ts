import { startTestServer, type TestServer } from '@agent-runtime/transport-fastify/test';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { applySessionEvent, createAgentRuntimeClient, createSessionState, mainBlocks, type AgentRuntimeClient, type WebSocketConstructor } from './index.js';

let server: TestServer | undefined;
const clients: AgentRuntimeClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

async function setup(options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  const client = createAgentRuntimeClient({
    baseUrl: server.baseUrl,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  clients.push(client);
  const { sessionId } = await client.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
  await new Promise((resolve) => setImmediate(resolve));
  return { server, client, sessionId };
}

/** Drops every server-side socket, as a network failure would. */
function dropAll(server: TestServer): void {
  for (const connection of server.app.agentRuntime.hub.connections) connection.socket.terminate();
}

/**
 * Waits until `condition` holds, checking between turns of the event loop. No deadline of its own
 * (a loaded machine makes it slower, not red); the test timeout catches a hang.
 */
const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
};

describe('socket', () => {
  it('join + typed handlers receive events with seq; leave stops them', async () => {
    const { server, client, sessionId } = await setup();
    const socket = client.socket();
    const deltas: string[] = [];
    socket.on('session:block:delta', (data, meta) => {
      deltas.push(`${meta.seq}:${data.delta}`);
    });
    const ack = await socket.join(sessionId);
    expect(ack).toMatchObject({ success: true, latestSeq: expect.any(Number) });
    server.engine.streamDeltas(sessionId, 3, { text: (index) => `d${index}` });
    await until(() => deltas.length === 3);
    expect(deltas).toEqual([`${ack.latestSeq + 2}:d0`, `${ack.latestSeq + 3}:d1`, `${ack.latestSeq + 4}:d2`]);
    await socket.leave(sessionId);
    server.engine.streamDeltas(sessionId, 3);
    await socket.join(sessionId); // round trip
    expect(deltas).toHaveLength(3);
  });

  it('sessions:list reaches every client', async () => {
    const { client } = await setup();
    const lists: number[] = [];
    client.socket().on('sessions:list', ({ sessions }) => lists.push(sessions.length));
    await client.connect();
    await client.createSession({ agentProfileRef: 'code-assistant', architecture: 'gemini-cli' });
    await until(() => lists.includes(2));
  });

  it('join of an unknown session rejects with the server code', async () => {
    const { client } = await setup();
    await expect(client.socket().join('ghost')).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });

  it('reconnects and re-joins with since: handlers see every seq exactly once while the engine keeps emitting', async () => {
    const { server, client, sessionId } = await setup();
    const socket = client.socket();
    const seqs: number[] = [];
    let reconnects = 0;
    socket.onAny((event) => {
      if (event.seq !== undefined) seqs.push(event.seq);
    });
    socket.on('connection:open', ({ reconnected }) => {
      if (reconnected) reconnects++;
    });
    const { latestSeq } = await socket.join(sessionId);
    let emitted = 0;
    for (let round = 0; round < 5; round++) {
      for (let batch = 0; batch < 40; batch++) {
        server.engine.streamDeltas(sessionId, 5, { blockId: 'stream' });
        emitted += 5;
        await new Promise((resolve) => setImmediate(resolve));
      }
      const connections = server.app.agentRuntime.hub.connections;
      await until(() => connections.size === 1 && [...connections][0]!.joined.has(sessionId)); // reconnected and re-joined
      dropAll(server); // mid-stream
      for (let batch = 0; batch < 10; batch++) {
        server.engine.streamDeltas(sessionId, 5, { blockId: 'stream' }); // emitted while disconnected
        emitted += 5;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    const last = server.engine.events.latestSeq(sessionId);
    await until(() => seqs.at(-1) === last);
    expect(reconnects).toBeGreaterThanOrEqual(5);
    expect(seqs).toEqual(Array.from({ length: last - latestSeq }, (_, index) => latestSeq + 1 + index));
    expect(emitted).toBe(1250);
  });

  it('resync: when the gap left the replay window, reloads the session and emits session:resynced', async () => {
    const { server, client, sessionId } = await setup({ engineOptions: { replayWindow: 10 } });
    const socket = client.socket();
    const resynced: number[] = [];
    const resyncEvents: string[] = [];
    socket.on('session:resync', (data) => resyncEvents.push(data.reason));
    socket.on('session:resynced', ({ session }) => resynced.push(session.lastEventSeq ?? -1));
    await socket.join(sessionId);
    let closed = false;
    socket.on('connection:close', () => {
      closed = true;
    });
    dropAll(server);
    await until(() => closed);
    server.engine.streamDeltas(sessionId, 50, { blockId: 'far' });
    await until(() => resynced.length === 1);
    expect(resyncEvents[0]).toMatch(/replay window/);
    expect(resynced[0]).toBe(server.engine.events.latestSeq(sessionId));
    const after: number[] = [];
    socket.on('session:block:delta', (_data, meta) => after.push(meta.seq!));
    server.engine.streamDeltas(sessionId, 2, { blockId: 'far' });
    await until(() => after.length === 2);
    expect(after[0]).toBe(resynced[0]! + 1);
  });
});

describe('applySessionEvent', () => {
  it('folding the stream of a turn gives the blocks GET /sessions/:id returns', async () => {
    const { server, client, sessionId } = await setup();
    const socket = client.socket();
    let state = createSessionState(await client.getSession(sessionId));
    socket.onAny((event) => {
      state = applySessionEvent(state, event);
    });
    await socket.join(sessionId, { since: state.lastSeq });
    server.engine.emit({ event: 'session:subagent:discovered', data: { sessionId, subagent: { id: 'agent-1', name: 'helper' } } });
    server.engine.streamDeltas(sessionId, 3, { conversationId: 'agent-1', blockId: 'sub-text' });
    server.engine.writeFile(sessionId, { path: 'a.txt', content: '1' });
    server.engine.writeFile(sessionId, { path: 'b.txt', content: '2' });
    server.engine.deleteFile(sessionId, 'a.txt');
    await client.sendMessage(sessionId, 'fold me');
    await server.engine.idle(sessionId);
    await until(() => state.lastSeq === server.engine.events.latestSeq(sessionId));
    const snapshot = await client.getSession(sessionId);
    expect(mainBlocks(state)).toEqual(snapshot.blocks);
    expect(state.conversations['agent-1']).toEqual(snapshot.subagents[0]!.blocks);
    expect(state.subagents['agent-1']).toMatchObject({ id: 'agent-1', name: 'helper' });
    expect(state.files).toEqual([{ path: 'b.txt', content: '2' }]);
    expect(state.status).toBe('active');
    expect(state.turn).toBeUndefined();
    expect(state.lastTurn).toMatchObject({ outcome: 'completed' });
    expect(state.metadata).toMatchObject({ model: 'fake-model' });
    // Idempotent: applying an event again changes nothing.
    const again = applySessionEvent(state, { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'x', delta: 'y' }, seq: state.lastSeq });
    expect(again).toBe(state);
  });
});
