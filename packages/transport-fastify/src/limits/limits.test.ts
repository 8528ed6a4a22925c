import { afterEach, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from '../auth.js';
import { FrameSocket, startTestServer, type TestServer } from '../test/index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const authenticate = bearerTokenAuthenticator({ verify: (token) => (token.startsWith('user-') ? { id: token } : false) });
const as = (token: string) => ({ authorization: `Bearer ${token}` });

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server!.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

const newSession = (token: string) => post('/sessions/create', { agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' }, as(token));

describe('limits', () => {
  it('sessionsPerPrincipal: 429 LIMIT_EXCEEDED above it, per principal; a deleted session frees its place', async () => {
    server = await startTestServer({ authenticate, limits: { sessionsPerPrincipal: 2 } });
    const first = await newSession('user-a');
    expect((await newSession('user-a')).status).toBe(200);
    const third = await newSession('user-a');
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'sessionsPerPrincipal', max: 2 } });
    expect((await newSession('user-b')).status).toBe(200);
    await fetch(`${server.baseUrl}/sessions/${first.body.sessionId}`, { method: 'DELETE', headers: as('user-a') });
    expect((await newSession('user-a')).status).toBe(200);
  });

  it('sessionsPerPrincipal holds for concurrent creates', async () => {
    server = await startTestServer({ authenticate, limits: { sessionsPerPrincipal: 3 } });
    const statuses = (await Promise.all(Array.from({ length: 8 }, () => newSession('user-c')))).map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });

  it('connectionsPerPrincipal: the upgrade over it gets 429; closing one frees a place', async () => {
    server = await startTestServer({ authenticate, limits: { connectionsPerPrincipal: 2 } });
    const open = [await FrameSocket.connect(server.websocketUrl, { headers: as('user-a') }), await FrameSocket.connect(server.websocketUrl, { headers: as('user-a') })];
    await expect(FrameSocket.connect(server.websocketUrl, { headers: as('user-a') })).rejects.toMatchObject({ status: 429 });
    const other = await FrameSocket.connect(server.websocketUrl, { headers: as('user-b') });
    // Wait for the server to see a close (the hub's own 'close' listener runs first).
    const hub = server.app.agentRuntime.hub;
    const serverSideClosed = Promise.race(
      [...hub.connections].filter((connection) => connection.principalKey === 'principal:user-a').map((connection) => new Promise((resolve) => connection.socket.once('close', resolve))),
    );
    open[0]!.terminate();
    await serverSideClosed;
    expect(hub.connectionsOf('principal:user-a')).toBe(1);
    const again = await FrameSocket.connect(server.websocketUrl, { headers: as('user-a') });
    for (const socket of [open[1]!, other, again]) socket.terminate();
  });

  it('messagesPerWindow: 429 RATE_LIMITED with Retry-After, per principal', async () => {
    server = await startTestServer({ authenticate, limits: { messagesPerWindow: 3, messageWindowMs: 60_000 } });
    const sessionId = (await newSession('user-a')).body.sessionId as string;
    for (let index = 0; index < 3; index++) {
      expect((await post(`/sessions/${sessionId}/message`, { content: `m${index}` }, as('user-a'))).status).toBe(200);
    }
    const limited = await post(`/sessions/${sessionId}/message`, { content: 'one too many' }, as('user-a'));
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'messagesPerWindow', max: 3, retryAfterMs: expect.any(Number) } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const calls = server.engine.calls.filter((call) => call.method === 'sendMessage');
    expect(calls).toHaveLength(3); // the refused one never reached the engine
    // Another principal has its own budget.
    const otherSession = (await newSession('user-b')).body.sessionId as string;
    expect((await post(`/sessions/${otherSession}/message`, { content: 'hi' }, as('user-b'))).status).toBe(200);
    await server.engine.idle(sessionId);
  });

  it('rejects bad limits at registration', async () => {
    await expect(startTestServer({ limits: { sessionsPerPrincipal: 0 } })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'limits.sessionsPerPrincipal' },
    });
  });
});
