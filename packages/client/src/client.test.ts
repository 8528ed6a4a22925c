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

  it('throws AgentRuntimeClientError with code and status', async () => {
    const error = await client.getSession('missing').catch((caught: unknown) => caught);
    expect(AgentRuntimeClientError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SESSION_NOT_FOUND', status: 404, details: { sessionId: 'missing' } });
    const refused = await client.readFile('missing', '../etc/passwd').catch((caught: unknown) => caught);
    expect(refused).toMatchObject({ status: expect.any(Number) });
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
