import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { FrameSocket, startTestServer, type TestServer } from '../test/index.js';

let server: TestServer;
const sockets: FrameSocket[] = [];

async function connect(): Promise<FrameSocket> {
  const socket = await FrameSocket.connect(server.websocketUrl);
  sockets.push(socket);
  return socket;
}

async function createSession(): Promise<string> {
  const record = await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
  await new Promise((resolve) => setImmediate(resolve));
  return record.sessionId;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  await server.close();
});

const keys = (value: unknown) => Object.keys(value as object).sort();

describe('client events', () => {
  it('session:join acks {success, latestSeq}; session:leave acks {success}', async () => {
    const sessionId = await createSession();
    const socket = await connect();
    const joined = await socket.join(sessionId);
    expect(joined).toMatchObject({ success: true, latestSeq: server.engine.events.latestSeq(sessionId), replayed: 0 });
    server.engine.streamDeltas(sessionId, 1);
    await socket.waitUntil(() => socket.sessionEvents(sessionId).length === 2);
    expect(await socket.request('session:leave', [sessionId])).toEqual({ success: true });
    server.engine.streamDeltas(sessionId, 3);
    await socket.join(sessionId); // a round trip: anything sent before it has arrived
    expect(socket.sessionEvents(sessionId)).toHaveLength(2);
  });

  it('join of an unknown session fails with SESSION_NOT_FOUND, and the socket stays usable', async () => {
    const socket = await connect();
    const result = await socket.join('ghost');
    expect(result).toEqual({ success: false, error: { code: 'SESSION_NOT_FOUND', message: expect.any(String) } });
    const sessionId = await createSession();
    expect((await socket.join(sessionId)).success).toBe(true);
  });
});

describe('server events: every event of the reference with its documented shape, plus ours', () => {
  it('delivers each event with data and a per-session seq, only to joined sockets', async () => {
    const sessionId = await createSession();
    const joined = await connect();
    const bystander = await connect();
    await joined.join(sessionId);
    const engine = server.engine;
    const block = { id: 'b1', type: 'assistant_text' as const, timestamp: new Date().toISOString(), content: '' };
    const file = { path: 'a.txt', content: 'x' };
    engine.emit({ event: 'session:block:start', data: { sessionId, conversationId: 'main', block } });
    engine.emit({ event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'b1', delta: 'Hi' } });
    engine.emit({ event: 'session:block:update', data: { sessionId, conversationId: 'main', blockId: 'b1', updates: { model: 'm' } } });
    engine.emit({ event: 'session:block:complete', data: { sessionId, conversationId: 'main', blockId: 'b1', block: { ...block, content: 'Hi' } } });
    engine.emit({ event: 'session:file:created', data: { sessionId, file } });
    engine.emit({ event: 'session:file:modified', data: { sessionId, file: { ...file, content: 'y' } } });
    engine.emit({ event: 'session:file:deleted', data: { sessionId, path: 'a.txt' } });
    engine.emit({ event: 'session:status', data: { sessionId, status: 'inactive' } });
    engine.emit({ event: 'error', data: { sessionId, message: 'boom', code: 'AGENT_ERROR' } });
    engine.emit({ event: 'session:metadata:update', data: { sessionId, metadata: { model: 'm', costUsd: 0.1 } } });
    engine.emit({ event: 'session:subagent:discovered', data: { sessionId, subagent: { id: 'agent-1', name: 'helper' } } });
    engine.emit({ event: 'session:subagent:completed', data: { sessionId, subagentId: 'agent-1', status: 'success' } });
    engine.emit({ event: 'session:idle:warning', data: { sessionId, idleAt: Date.now() + 1000 } });
    engine.emit({ event: 'session:turn:start', data: { sessionId, turnId: 't1' } });
    engine.emit({ event: 'session:turn:end', data: { sessionId, turnId: 't1', outcome: 'completed' } });
    await joined.waitUntil(() => joined.sessionEvents(sessionId).length === 15);
    const events = joined.sessionEvents(sessionId);
    const byName = Object.fromEntries(events.map((frame) => [frame.event, frame]));
    expect(keys(byName['session:block:start']!.data)).toEqual(['block', 'conversationId', 'sessionId']);
    expect(keys(byName['session:block:delta']!.data)).toEqual(['blockId', 'conversationId', 'delta', 'sessionId']);
    expect(keys(byName['session:block:update']!.data)).toEqual(['blockId', 'conversationId', 'sessionId', 'updates']);
    expect(keys(byName['session:block:complete']!.data)).toEqual(['block', 'blockId', 'conversationId', 'sessionId']);
    expect(keys(byName['session:file:created']!.data)).toEqual(['file', 'sessionId']);
    expect(keys(byName['session:file:modified']!.data)).toEqual(['file', 'sessionId']);
    expect(keys(byName['session:file:deleted']!.data)).toEqual(['path', 'sessionId']);
    expect(byName['session:status']!.data).toEqual({ sessionId, status: 'inactive' });
    expect(byName.error!.data).toEqual({ sessionId, message: 'boom', code: 'AGENT_ERROR' });
    expect(keys(byName['session:metadata:update']!.data)).toEqual(['metadata', 'sessionId']);
    expect(keys(byName['session:subagent:discovered']!.data)).toEqual(['sessionId', 'subagent']);
    expect(keys(byName['session:subagent:completed']!.data)).toEqual(['sessionId', 'status', 'subagentId']);
    expect(keys(byName['session:idle:warning']!.data)).toEqual(['idleAt', 'sessionId']);
    expect(keys(byName['session:turn:start']!.data)).toEqual(['sessionId', 'turnId']);
    expect(keys(byName['session:turn:end']!.data)).toEqual(['outcome', 'sessionId', 'turnId']);
    for (const frame of events) expect(keys(frame)).toEqual(['data', 'event', 'seq']);
    const seqs = events.map((frame) => frame.seq!);
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));
    await bystander.join(await createSession());
    expect(bystander.sessionEvents(sessionId)).toEqual([]);
  });

  it('sessions:list goes to every client, without seq', async () => {
    const first = await connect();
    const second = await connect();
    const sessionId = await createSession();
    for (const socket of [first, second]) {
      const frame = await socket.waitForFrame(
        (candidate) => candidate.event === 'sessions:list' && JSON.stringify(candidate.data).includes(`"${sessionId}"`),
      );
      expect(keys(frame)).toEqual(['data', 'event']);
      expect(keys((frame.data as { sessions: unknown[] }).sessions[0])).toEqual(
        expect.arrayContaining(['sessionId', 'type', 'agentProfileReference', 'status', 'createdAt']),
      );
    }
  });

  it('a real turn streams user message, deltas, complete and turn end', async () => {
    const sessionId = await createSession();
    const socket = await connect();
    await socket.join(sessionId);
    await server.engine.sendMessage(sessionId, { content: 'hello there' });
    await socket.waitUntil(() => socket.sessionEvents(sessionId).some((frame) => frame.event === 'session:turn:end'));
    const deltas = socket.sessionEvents(sessionId).filter((frame) => frame.event === 'session:block:delta');
    expect(deltas.map((frame) => frame.data.delta).join('')).toBe('You said: hello there');
  });
});

describe('sending', () => {
  it('serializes each event once for all subscribers (same string)', async () => {
    const sessionId = await createSession();
    const a = await connect();
    const b = await connect();
    await a.join(sessionId);
    await b.join(sessionId);
    const sent: unknown[] = [];
    for (const connection of server.app.agentRuntime.hub.connections) {
      const original = connection.send.bind(connection);
      connection.send = (text: string) => {
        if (text.includes('"once-check"')) sent.push(text);
        return original(text);
      };
    }
    server.engine.streamDeltas(sessionId, 1, { text: () => 'once-check' });
    await a.waitUntil(() => a.sessionEvents(sessionId).some((frame) => frame.data.delta === 'once-check'));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(sent[1]);
  });

  it('drops a client whose send queue overflows (close 4000 with a reason); others keep receiving', async () => {
    // The slow client is a socket that never drains: every frame stays in its bufferedAmount. No
    // kernel buffers and no timing are involved, so the test holds on a loaded machine.
    const small = await startTestServer({ maxBufferedBytesPerSocket: 64 * 1024 });
    try {
      const record = await small.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
      const fast = await FrameSocket.connect(small.websocketUrl);
      await fast.join(record.sessionId);
      const slowSocket = Object.assign(new EventEmitter(), {
        readyState: 1,
        bufferedAmount: 0,
        closed: undefined as { code: number; reason: string } | undefined,
        send(text: string) {
          this.bufferedAmount += Buffer.byteLength(text);
        },
        ping() {},
        close(code: number, reason: string) {
          this.closed = { code, reason };
          this.readyState = 2;
        },
        terminate() {
          this.readyState = 3;
        },
      });
      const hub = small.app.agentRuntime.hub;
      const slow = hub.accept(slowSocket as unknown as WebSocket, undefined)!;
      const joined = new Promise<void>((resolve) => slowSocket.once('joined', resolve));
      const originalSend = slowSocket.send.bind(slowSocket);
      slowSocket.send = (text: string) => {
        originalSend(text);
        if (text.includes('"ack":1')) slowSocket.emit('joined');
      };
      slowSocket.emit('message', Buffer.from(JSON.stringify({ event: 'session:join', args: [record.sessionId], ack: 1 })), false);
      await joined;
      const chunk = 'x'.repeat(1024);
      small.engine.streamDeltas(record.sessionId, 100, { blockId: 'big', text: () => chunk });
      await small.engine.events.flushed(record.sessionId); // events reach sockets once the event log stored them
      expect(slowSocket.closed?.code).toBe(4000);
      expect(slowSocket.closed?.reason).toMatch(/^SLOW_CONSUMER/);
      expect(slow.closed).toBe(true);
      expect(hub.connections.size).toBe(1);
      small.engine.streamDeltas(record.sessionId, 1, { text: () => 'after' });
      await fast.waitUntil(() => fast.sessionEvents(record.sessionId).some((frame) => frame.data.delta === 'after'), 30_000);
      const seqs = fast.sessionEvents(record.sessionId).map((frame) => frame.seq!);
      expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index)); // the fast client missed nothing
      expect(fast.sessionEvents(record.sessionId).filter((frame) => frame.data.delta === chunk)).toHaveLength(100);
      fast.terminate();
    } finally {
      await small.close();
    }
  });

  it('heartbeat: a socket that stops answering pings is dropped', async () => {
    const beating = await startTestServer({ heartbeatMs: 50 });
    try {
      const socket = await FrameSocket.connect(beating.websocketUrl);
      // Make the client deaf to pings: ws answers pings automatically, so stop it from doing so.
      (socket.socket as unknown as { pong: () => void }).pong = () => {};
      await socket.closed();
      expect(beating.app.agentRuntime.hub.connections.size).toBe(0);
    } finally {
      await beating.close();
    }
  });

  it('closes sockets with 1001 on server close', async () => {
    const closing = await startTestServer();
    const socket = await FrameSocket.connect(closing.websocketUrl);
    await closing.close();
    await socket.closed();
    expect(socket.closeCode).toBe(1001);
  });
});
