import { request } from 'node:http';
import { createAgentRuntimeServer, bearerTokenAuthenticator, type CreateAgentRuntimeServerOptions } from '@agent-runtime/transport-fastify';
import { createFakeSessionEngine, FrameSocket, type FakeSessionEngine } from '@agent-runtime/transport-fastify/test';
import type { FastifyInstance } from 'fastify';
import { io as connectClient, type Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRuntimeSocketIoPlugin, type SocketIoPluginOptions } from './index.js';

interface Received {
  event: string;
  data: Record<string, unknown>;
  seq: number | undefined;
}

interface Server {
  app: FastifyInstance;
  engine: FakeSessionEngine;
  url: string;
  close(): Promise<void>;
}

async function startServer(socketIo: SocketIoPluginOptions = {}, server: Partial<CreateAgentRuntimeServerOptions> = {}): Promise<Server> {
  const engine = createFakeSessionEngine();
  const app = createAgentRuntimeServer({ ...server, engine });
  await app.register(agentRuntimeSocketIoPlugin, socketIo);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, engine, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

const clients: ClientSocket[] = [];

/** A socket.io-client that records every event it receives (with the `{seq}` second argument). */
function connect(url: string, options: Parameters<typeof connectClient>[1] = {}): { socket: ClientSocket; received: Received[] } {
  const socket = connectClient(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  clients.push(socket);
  const received: Received[] = [];
  socket.onAny((event: string, data: Record<string, unknown>, meta?: { seq: number }) => {
    received.push({ event, data, seq: meta?.seq });
    for (const waiter of [...waiters]) waiter();
  });
  return { socket, received };
}

function connected(socket: ClientSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
}

function emitWithAck(socket: ClientSocket, event: string, ...args: unknown[]): Promise<Record<string, unknown>> {
  return new Promise((resolve) => socket.emit(event, ...args, (response: Record<string, unknown>) => resolve(response)));
}

const waiters = new Set<() => void>();

/** Resolves once `check` holds, re-checked on every event any test client receives (no polling). */
function until(check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const waiter = () => {
      if (!check()) return;
      waiters.delete(waiter);
      resolve();
    };
    waiters.add(waiter);
    waiter();
  });
}

async function createSession(engine: FakeSessionEngine): Promise<string> {
  const record = await engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
  await new Promise((resolve) => setImmediate(resolve)); // the fake engine's status events
  return record.sessionId;
}

let server: Server;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  for (const socket of clients) socket.disconnect();
  await server.close();
});

describe('socket.io-client as the reference shows it', () => {
  it('session:join acks with a callback, events arrive by name with payload and seq, session:leave acks', async () => {
    const sessionId = await createSession(server.engine);
    const { socket, received } = connect(server.url);
    await connected(socket);
    const joined = await emitWithAck(socket, 'session:join', sessionId);
    expect(joined).toEqual({ success: true, latestSeq: server.engine.events.latestSeq(sessionId), replayed: 0 });
    const block = { id: 'b1', type: 'assistant_text' as const, timestamp: new Date().toISOString(), content: '' };
    server.engine.emit({ event: 'session:block:start', data: { sessionId, conversationId: 'main', block } });
    server.engine.emit({ event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'b1', delta: 'Hi' } });
    server.engine.emit({ event: 'session:block:complete', data: { sessionId, conversationId: 'main', blockId: 'b1', block: { ...block, content: 'Hi' } } });
    server.engine.emit({ event: 'session:status', data: { sessionId, status: 'inactive' } });
    await until(() => received.filter((item) => item.seq !== undefined).length === 4);
    // After the ack: the session's current status, without seq (it repeats, it is not new).
    expect(received[0]).toEqual({ event: 'session:status', data: { sessionId, status: expect.any(String) }, seq: undefined });
    const events = received.filter((item) => item.seq !== undefined);
    expect(events.map((item) => item.event)).toEqual(['session:block:start', 'session:block:delta', 'session:block:complete', 'session:status']);
    expect(events[1]!.data).toEqual({ sessionId, conversationId: 'main', blockId: 'b1', delta: 'Hi' });
    expect(events[3]!.data).toEqual({ sessionId, status: 'inactive' });
    const seqs = events.map((item) => item.seq!);
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index));

    expect(await emitWithAck(socket, 'session:leave', sessionId)).toEqual({ success: true });
    server.engine.streamDeltas(sessionId, 2);
    await emitWithAck(socket, 'session:join', await createSession(server.engine)); // a round trip
    expect(received.filter((item) => item.event === 'session:block:delta')).toHaveLength(1);
  });

  it('a real (fake-engine) turn streams deltas and turn end to a joined client only', async () => {
    const sessionId = await createSession(server.engine);
    const joined = connect(server.url);
    const bystander = connect(server.url);
    await Promise.all([connected(joined.socket), connected(bystander.socket)]);
    await emitWithAck(joined.socket, 'session:join', sessionId);
    await server.engine.sendMessage(sessionId, { content: 'hello there' });
    await until(() => joined.received.some((item) => item.event === 'session:turn:end'));
    const text = joined.received.filter((item) => item.event === 'session:block:delta').map((item) => item.data.delta).join('');
    expect(text).toBe('You said: hello there');
    expect(bystander.received.filter((item) => item.data?.sessionId === sessionId && item.event !== 'sessions:list')).toEqual([]);
  });

  it('unknown session and bad arguments: a failed ack and an error event, the socket stays usable', async () => {
    const { socket, received } = connect(server.url);
    await connected(socket);
    expect(await emitWithAck(socket, 'session:join', 'ghost')).toEqual({
      success: false,
      error: { code: 'SESSION_NOT_FOUND', message: expect.any(String) },
    });
    expect(received.find((item) => item.event === 'error')?.data).toMatchObject({ code: 'SESSION_NOT_FOUND', sessionId: 'ghost' });
    const bad = await emitWithAck(socket, 'session:join', 42);
    expect(bad).toMatchObject({ success: false, error: { code: 'INVALID_INPUT' } });
    expect((await emitWithAck(socket, 'session:leave')).success).toBe(false);
    expect((await emitWithAck(socket, 'session:join', await createSession(server.engine))).success).toBe(true);
  });

  it('since replays exactly what was missed; a gap beyond the window gets session:resync', async () => {
    const sessionId = await createSession(server.engine);
    const before = server.engine.events.latestSeq(sessionId);
    server.engine.streamDeltas(sessionId, 3);
    const { socket, received } = connect(server.url);
    await connected(socket);
    const joined = await emitWithAck(socket, 'session:join', sessionId, { since: before });
    const latest = server.engine.events.latestSeq(sessionId);
    expect(joined).toEqual({ success: true, latestSeq: latest, replayed: latest - before });
    const replayedOf = () => received.filter((item) => item.data?.sessionId === sessionId && item.seq !== undefined);
    await until(() => replayedOf().length === latest - before);
    expect(replayedOf().map((item) => item.seq)).toEqual(Array.from({ length: latest - before }, (_, index) => before + 1 + index));
    expect(replayedOf().filter((item) => item.event === 'session:block:delta')).toHaveLength(3);

    const small = await startServer({ maxReplayEvents: 2 });
    try {
      const other = await createSession(small.engine);
      small.engine.streamDeltas(other, 5);
      const late = connect(small.url);
      await connected(late.socket);
      expect(await emitWithAck(late.socket, 'session:join', other, { since: 0 })).toMatchObject({ success: true, resync: true, replayed: 0 });
      await until(() => late.received.some((item) => item.event === 'session:resync'));
      expect(late.received.find((item) => item.event === 'session:resync')!.data).toMatchObject({ sessionId: other, latestSeq: expect.any(Number) });
    } finally {
      await small.close();
    }
  });

  it('session:permission:respond / session:question:respond answer through the engine and ack its result', async () => {
    const sessionId = await createSession(server.engine);
    const { socket } = connect(server.url);
    await connected(socket);
    expect(await emitWithAck(socket, 'session:permission:respond', sessionId, 'r1', { decision: 'allow' })).toMatchObject({ success: false, error: { code: 'UNSUPPORTED_OPERATION' } });
    const calls: unknown[][] = [];
    const engine = server.engine as FakeSessionEngine & { answerPermission?: unknown };
    engine.answerPermission = async (...args: unknown[]) => {
      calls.push(args);
      return { success: true, sessionId, requestId: 'r1', resolution: { decision: 'allow', by: 'user', resolvedAt: 1 }, alreadyResolved: false };
    };
    try {
      expect(await emitWithAck(socket, 'session:permission:respond', sessionId, 'r1', { decision: 'maybe' })).toMatchObject({ success: false, error: { code: 'INVALID_INPUT' } });
      expect(await emitWithAck(socket, 'session:permission:respond', sessionId, 'r1', { decision: 'allow', message: 'ok' })).toEqual({
        success: true, sessionId, requestId: 'r1', resolution: { decision: 'allow', by: 'user', resolvedAt: 1 }, alreadyResolved: false,
      });
      expect(calls).toEqual([[sessionId, 'r1', { decision: 'allow', message: 'ok' }, 'user']]);
    } finally {
      delete engine.answerPermission;
    }
  });

  it('session:warm asks the engine to warm and acks { success, warming }; bad arguments fail the ack', async () => {
    const sessionId = await createSession(server.engine);
    const { socket } = connect(server.url);
    await connected(socket);
    const engine = server.engine as FakeSessionEngine & { warmSession?: unknown };
    const original = engine.warmSession;
    delete engine.warmSession;
    expect(await emitWithAck(socket, 'session:warm', sessionId)).toMatchObject({ success: false, error: { code: 'UNSUPPORTED_OPERATION' } });
    const calls: unknown[][] = [];
    engine.warmSession = async (...args: unknown[]) => {
      calls.push(args);
      return { warming: true };
    };
    try {
      expect(await emitWithAck(socket, 'session:warm', sessionId)).toEqual({ success: true, warming: true });
      expect(await emitWithAck(socket, 'session:warm')).toMatchObject({ success: false, error: { code: 'INVALID_INPUT' } });
      expect(calls).toEqual([[sessionId]]);
    } finally {
      if (original) engine.warmSession = original;
      else delete engine.warmSession;
    }
  });

  it('sessions:list reaches every client', async () => {
    const { socket, received } = connect(server.url);
    await connected(socket);
    const sessionId = await createSession(server.engine);
    await until(() => received.some((item) => item.event === 'sessions:list' && JSON.stringify(item.data).includes(sessionId)));
    expect(received.find((item) => item.event === 'sessions:list')!.seq).toBeUndefined();
  });

  it('works over HTTP long-polling too', async () => {
    const sessionId = await createSession(server.engine);
    const { socket } = connect(server.url, { transports: ['polling'] });
    await connected(socket);
    expect(await emitWithAck(socket, 'session:join', sessionId)).toMatchObject({ success: true });
  });

  it('runs beside the raw WebSocket endpoint on the same port; REST still answers', async () => {
    const sessionId = await createSession(server.engine);
    const raw = await FrameSocket.connect(server.url.replace('http', 'ws') + '/');
    try {
      expect((await raw.join(sessionId)).success).toBe(true);
      const { socket } = connect(server.url);
      await connected(socket);
      expect((await emitWithAck(socket, 'session:join', sessionId)).success).toBe(true);
      server.engine.streamDeltas(sessionId, 1, { text: () => 'both' });
      await raw.waitUntil(() => raw.sessionEvents(sessionId).some((frame) => frame.data.delta === 'both'));
      expect((await fetch(`${server.url}/sessions`)).status).toBe(200);
    } finally {
      raw.terminate();
    }
  });
});

describe('the same auth hooks as the raw WebSocket', () => {
  let secured: Server;
  const authenticate = bearerTokenAuthenticator({ verify: (token) => (token.startsWith('user-') ? token.slice(5) : false) });
  const authorizeSession = (principal: unknown, sessionId: string) => principal === 'alice' || !sessionId.length;

  beforeAll(async () => {
    secured = await startServer({ authenticate, authorizeSession }, { authenticate, authorizeSession });
  });
  afterAll(() => secured.close());

  it('refuses a connection without a token with connect_error UNAUTHORIZED', async () => {
    const { socket } = connect(secured.url);
    const error = await connected(socket).then(
      () => undefined,
      (refusal: Error & { data?: unknown }) => refusal,
    );
    expect(error?.data).toEqual({ code: 'UNAUTHORIZED', message: expect.any(String) });
  });

  it('accepts auth: {token}, a query access_token or an Authorization header; authorizeSession decides joins', async () => {
    const sessionId = await createSession(secured.engine);
    const alice = connect(secured.url, { auth: { token: 'user-alice' } });
    const bob = connect(secured.url, { query: { access_token: 'user-bob' } });
    const header = connect(secured.url, { extraHeaders: { authorization: 'Bearer user-alice' } });
    await Promise.all([connected(alice.socket), connected(bob.socket), connected(header.socket)]);
    expect((await emitWithAck(alice.socket, 'session:join', sessionId)).success).toBe(true);
    expect((await emitWithAck(header.socket, 'session:join', sessionId)).success).toBe(true);
    expect(await emitWithAck(bob.socket, 'session:join', sessionId)).toEqual({
      success: false,
      error: { code: 'FORBIDDEN', message: expect.any(String) },
    });
  });

  it('session:warm needs the message right (authorizeSession)', async () => {
    const sessionId = await createSession(secured.engine);
    const bob = connect(secured.url, { auth: { token: 'user-bob' } });
    await connected(bob.socket);
    expect(await emitWithAck(bob.socket, 'session:warm', sessionId)).toMatchObject({ success: false, error: { code: 'FORBIDDEN' } });
  });

  it('sessions:list shows each client only the sessions it may read', async () => {
    const alice = connect(secured.url, { auth: { token: 'user-alice' } });
    const bob = connect(secured.url, { auth: { token: 'user-bob' } });
    await Promise.all([connected(alice.socket), connected(bob.socket)]);
    const sessionId = await createSession(secured.engine);
    const lists = (client: { received: Received[] }) =>
      client.received.filter((item) => item.event === 'sessions:list').map((item) => item.data.sessions as { sessionId: string }[]);
    await until(() => lists(alice).some((sessions) => sessions.some((session) => session.sessionId === sessionId)));
    await until(() => lists(bob).length > 0);
    expect(lists(bob).flat()).toEqual([]);
  });
});

describe('Host and Origin checks (DNS rebinding, cross-site WebSocket hijacking)', () => {
  async function refusedWith(url: string, options: Parameters<typeof connectClient>[1]): Promise<string | undefined> {
    const { socket } = connect(url, options);
    return connected(socket).then(
      () => undefined,
      (error: Error) => error.message,
    );
  }

  for (const transport of ['websocket', 'polling'] as const) {
    it(`refuses a foreign Host or Origin over ${transport}; same-origin, no Origin and allowed origins connect`, async () => {
      const origin = server.url;
      expect(await refusedWith(server.url, { transports: [transport], extraHeaders: { origin: 'https://evil.example' } })).toBeDefined();
      expect(await refusedWith(server.url, { transports: [transport], extraHeaders: { origin } })).toBeUndefined();
      expect(await refusedWith(server.url, { transports: [transport] })).toBeUndefined();
      const open = await startServer({ allowedOrigins: ['https://app.example'], allowedHosts: ['api.example'] });
      try {
        expect(await refusedWith(open.url, { transports: [transport], extraHeaders: { origin: 'https://app.example' } })).toBeUndefined();
        expect(await refusedWith(open.url, { transports: [transport], extraHeaders: { origin: 'https://evil.example' } })).toBeDefined();
      } finally {
        await open.close();
      }
    });
  }

  it('refuses a handshake with a foreign Host header (403); a configured host is served', async () => {
    const handshake = (url: string, host: string) =>
      new Promise<number>((resolve, reject) => {
        const { port } = new URL(url);
        request({ host: '127.0.0.1', port, path: '/socket.io/?EIO=4&transport=polling', headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await handshake(server.url, 'evil.example')).toBe(403);
    expect(await handshake(server.url, 'localhost')).toBe(200);
    const open = await startServer({ allowedHosts: ['api.example'] });
    try {
      expect(await handshake(open.url, 'api.example')).toBe(200);
      expect(await handshake(open.url, 'evil.example')).toBe(403);
    } finally {
      await open.close();
    }
  });
});

describe('metrics', () => {
  it('GET /metrics counts Socket.IO clients (agent_runtime_socketio_clients)', async () => {
    const measured = await startServer();
    try {
      const scrape = async () => {
        const text = await fetch(`${measured.url}/metrics`).then((response) => response.text());
        return Number(/^agent_runtime_socketio_clients (\d+)$/m.exec(text)?.[1]);
      };
      expect(await scrape()).toBe(0);
      const { socket } = connect(measured.url);
      await connected(socket);
      expect(await scrape()).toBe(1);
    } finally {
      await measured.close();
    }
  });
});

describe('shutdown', () => {
  it('app.close() drops Socket.IO clients (polling and WebSocket) so that they reconnect, and resolves', async () => {
    const closing = await startServer();
    const overWebSocket = connect(closing.url);
    const overPolling = connect(closing.url, { transports: ['polling'] });
    await Promise.all([connected(overWebSocket.socket), connected(overPolling.socket)]);
    const reasons = Promise.all(
      [overWebSocket.socket, overPolling.socket].map((socket) => new Promise<string>((resolve) => socket.once('disconnect', resolve))),
    );
    await closing.close();
    // Not "io server disconnect", after which socket.io-client would never reconnect.
    for (const reason of await reasons) expect(['transport close', 'transport error']).toContain(reason);
    expect(closing.app.agentRuntimeSocketIo.bridge.clientCount).toBe(0);
  });
});
