import { startTestServer, type TestServer } from '@agent-runtime/transport-fastify/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AgentRuntimeClientError, createAgentRuntimeClient, type AgentRuntimeClient, type WebSocketConstructor } from './index.js';

let server: TestServer;
let client: AgentRuntimeClient;
const clients: AgentRuntimeClient[] = [];

function newClient(options: Partial<Parameters<typeof createAgentRuntimeClient>[0]> = {}): AgentRuntimeClient {
  const created = createAgentRuntimeClient({
    baseUrl: server.baseUrl,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  server = await startTestServer();
  client = newClient();
});
afterAll(async () => {
  for (const each of clients) each.close();
  await server.close();
});

describe('REST methods', () => {
  it('create, list, get, message, interrupt, readFile, listAgentProfiles, terminate', async () => {
    const created = await client.createSession({ agentProfileRef: 'code-assistant', architecture: 'gemini-cli' });
    expect(created).toEqual({ sessionId: expect.any(String), status: 'building-sandbox', createdAt: expect.any(Number) });
    const { sessionId } = created;
    expect((await client.listSessions()).map((session) => session.sessionId)).toContain(sessionId);
    expect(await client.getSession(sessionId)).toMatchObject({ sessionId, type: 'gemini-cli', blocks: [], subagents: [] });
    const sent = await client.sendMessage(sessionId, 'hello');
    expect(sent).toMatchObject({ success: true, sessionId, clientMessageId: expect.any(String) });
    expect(await client.interrupt(sessionId)).toMatchObject({ success: true, sessionId });
    await server.engine.idle(sessionId);
    server.engine.writeFile(sessionId, { path: 'dir/a file.txt', content: 'x' });
    expect(await client.readFile(sessionId, 'dir/a file.txt')).toEqual({ path: 'dir/a file.txt', content: 'x' });
    expect((await client.listAgentProfiles()).map((profile) => profile.id)).toEqual(['code-assistant', 'reviewer']);
    expect(await client.terminateSession(sessionId)).toEqual({ success: true, sessionId });
  });

  it('warmSession over REST (POST /sessions/:id/warm) and over the socket (session:warm with ack)', async () => {
    const { sessionId } = await client.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const socket = await client.connect();
    const engine = server.engine as typeof server.engine & { warmSession?: (sessionId: string) => Promise<{ warming: boolean }> };
    const original = engine.warmSession;
    delete engine.warmSession;
    await expect(client.warmSession(sessionId)).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
    await expect(socket.warmSession(sessionId)).rejects.toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
    const warmed: string[] = [];
    engine.warmSession = async (id) => {
      warmed.push(id);
      return { warming: warmed.length === 1 };
    };
    try {
      expect(await client.warmSession(sessionId)).toEqual({ success: true, sessionId, warming: true });
      expect(await socket.warmSession(sessionId)).toEqual({ success: true, warming: false });
      expect(warmed).toEqual([sessionId, sessionId]);
    } finally {
      if (original) engine.warmSession = original;
      else delete engine.warmSession;
    }
  });

  it('throws AgentRuntimeClientError with code and status', async () => {
    const error = await client.getSession('missing').catch((caught: unknown) => caught);
    expect(AgentRuntimeClientError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SESSION_NOT_FOUND', status: 404, details: { sessionId: 'missing' } });
    // The server refuses an absolute path with 400 PATH_REFUSED ...
    const absolute = await client.request('GET', '/sessions/missing/files//etc/passwd').catch((caught: unknown) => caught);
    expect(absolute).toMatchObject({ code: 'PATH_REFUSED', status: 400, details: { path: '/etc/passwd', reason: 'path is absolute' } });
    // ... and readFile refuses such paths itself (status 0: nothing sent), since a URL with ".."
    // would be normalised into another route before it reaches the server.
    const before = server.engine.calls.length;
    const traversal = await client.readFile('missing', '../etc/passwd').catch((caught: unknown) => caught);
    expect(traversal).toMatchObject({ code: 'PATH_REFUSED', status: 0, details: { path: '../etc/passwd', reason: 'path contains ".."' } });
    await expect(client.readFile('missing', '/etc/passwd')).rejects.toMatchObject({ code: 'PATH_REFUSED', status: 0 });
    expect(server.engine.calls.length).toBe(before);
    const offline = createAgentRuntimeClient({ baseUrl: 'http://127.0.0.1:1' });
    await expect(offline.listSessions()).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('sendMessage retries a lost response with the same clientMessageId; the message runs once', async () => {
    let attempts = 0;
    const flaky = newClient({
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (String(input).endsWith('/message') && attempts++ === 0) throw new TypeError('socket hang up'); // response lost
        return response;
      },
    });
    const { sessionId } = await flaky.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    await new Promise((resolve) => setImmediate(resolve));
    const result = await flaky.sendMessage(sessionId, { content: 'only once' });
    await server.engine.idle(sessionId);
    const calls = server.engine.calls.filter((call) => call.method === 'sendMessage' && call.args[0] === sessionId);
    expect(calls).toHaveLength(2);
    const ids = calls.map((call) => (call.args[1] as { clientMessageId: string }).clientMessageId);
    expect(ids[0]).toBe(ids[1]);
    expect(result.clientMessageId).toBe(ids[0]);
    const session = await flaky.getSession(sessionId);
    expect(session.blocks.filter((block) => block.type === 'user_message')).toHaveLength(1);
  });

  it.each([502, 503, 504])('sendMessage retries after a %i with the same clientMessageId', async (status) => {
    const attempts: string[] = [];
    const gateway = newClient({
      fetch: async (input, init) => {
        if (!String(input).endsWith('/message')) return fetch(input, init);
        attempts.push((JSON.parse(String(init?.body)) as { clientMessageId: string }).clientMessageId);
        if (attempts.length === 1) return new Response('bad gateway', { status }); // the proxy failed, the runtime saw nothing
        return fetch(input, init);
      },
    });
    const { sessionId } = await gateway.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const result = await gateway.sendMessage(sessionId, 'through a flaky proxy');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]).toBe(attempts[0]);
    expect(result).toMatchObject({ success: true, clientMessageId: attempts[0] });
    await server.engine.idle(sessionId);
    const session = await gateway.getSession(sessionId);
    expect(session.blocks.filter((block) => block.type === 'user_message')).toHaveLength(1);
  });

  it('sendMessage gives up after messageRetries, and never retries a 4xx or a 500', async () => {
    let calls = 0;
    const down = newClient({
      messageRetries: 1,
      fetch: async (input, init) => {
        if (!String(input).endsWith('/message')) return fetch(input, init);
        calls++;
        return new Response(JSON.stringify({ error: { code: String(input).includes('teapot') ? 'TEAPOT' : 'UNAVAILABLE', message: 'no' } }), {
          status: String(input).includes('teapot') ? 418 : String(input).includes('boom') ? 500 : 503,
        });
      },
    });
    await expect(down.sendMessage('s', 'x')).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 503 });
    expect(calls).toBe(2);
    calls = 0;
    await expect(down.sendMessage('teapot', 'x')).rejects.toMatchObject({ code: 'TEAPOT', status: 418 });
    expect(calls).toBe(1);
    calls = 0;
    await expect(down.sendMessage('boom', 'x')).rejects.toMatchObject({ status: 500 });
    expect(calls).toBe(1);
  });

  it('sends the token as ?access_token= on the WebSocket upgrade (and re-reads it on reconnect)', async () => {
    const seen: string[] = [];
    const guarded = await startTestServer({
      authenticate: (request) => {
        if (request.headers.upgrade !== 'websocket') return {};
        const token = (request.query as { access_token?: string }).access_token;
        seen.push(token ?? '<none>');
        return token === 'ws-1' || token === 'ws-2' ? {} : false;
      },
    });
    let current = 'ws-1';
    const withToken = createAgentRuntimeClient({
      baseUrl: guarded.baseUrl,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      token: () => current,
      reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    const without = createAgentRuntimeClient({ baseUrl: guarded.baseUrl, WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { enabled: false } });
    try {
      const socket = await withToken.connect();
      expect(seen).toEqual(['ws-1']);
      const reopened = new Promise<void>((resolve) => socket.on('connection:open', ({ reconnected }) => reconnected && resolve()));
      current = 'ws-2';
      socket.reconnectNow();
      await reopened;
      expect(seen).toEqual(['ws-1', 'ws-2']);
      await expect(without.connect()).rejects.toMatchObject({ code: 'DISCONNECTED' });
      expect(seen).toEqual(['ws-1', 'ws-2', '<none>']);
    } finally {
      withToken.close();
      without.close();
      await guarded.close();
    }
  });

  it('sends the token as a bearer header', async () => {
    const guarded = await startTestServer({ authenticate: (request) => (request.headers.authorization === 'Bearer t0k' ? {} : false) });
    try {
      const withToken = createAgentRuntimeClient({ baseUrl: guarded.baseUrl, token: () => 't0k' });
      expect(await withToken.listSessions()).toEqual([]);
      const without = createAgentRuntimeClient({ baseUrl: guarded.baseUrl });
      await expect(without.listSessions()).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
    } finally {
      await guarded.close();
    }
  });
});
