import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerTokenAuthenticator } from './auth.js';
import { FrameSocket, startTestServer, type TestServer } from './test/index.js';

let server: TestServer;
let aliceSession: string;
let bobSession: string;
const owners = new Map<string, string>();
/** Every question `authorizeSession` was asked, as `principal action sessionId`. */
const asked: string[] = [];

beforeAll(async () => {
  server = await startTestServer({
    authenticate: bearerTokenAuthenticator({ verify: (token) => (token === 'alice-token' ? 'alice' : token === 'bob-token' ? 'bob' : false) }),
    authorizeSession: (principal, sessionId, action) => {
      asked.push(`${String(principal)} ${action} ${sessionId}`);
      return owners.get(sessionId) === principal;
    },
    cors: { origin: 'https://app.example' },
  });
  aliceSession = (await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' })).sessionId;
  bobSession = (await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'gemini-cli' })).sessionId;
  owners.set(aliceSession, 'alice');
  owners.set(bobSession, 'bob');
});
afterAll(async () => {
  await server.close();
});

const as = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

describe('authenticate', () => {
  it('guards REST with 401 JSON; health, ready and openapi stay public', async () => {
    const refused = await fetch(`${server.baseUrl}/sessions`);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'Authentication required.' } });
    expect((await fetch(`${server.baseUrl}/sessions`, { headers: as('wrong') })).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/sessions`, { headers: as('alice-token') })).status).toBe(200);
    for (const path of ['/health', '/ready', '/openapi.json']) expect((await fetch(`${server.baseUrl}${path}`)).status).toBe(200);
  });

  it('guards the WebSocket upgrade (401), accepting a header or ?access_token=', async () => {
    await expect(FrameSocket.connect(server.websocketUrl)).rejects.toMatchObject({ status: 401 });
    await expect(FrameSocket.connect(`${server.websocketUrl}?access_token=nope`)).rejects.toMatchObject({ status: 401 });
    const byHeader = await FrameSocket.connect(server.websocketUrl, { headers: as('alice-token') });
    const byQuery = await FrameSocket.connect(`${server.websocketUrl}?access_token=bob-token`);
    byHeader.terminate();
    byQuery.terminate();
  });
});

describe('authorizeSession', () => {
  it('guards session routes with 403 and filters GET /sessions', async () => {
    const own = await fetch(`${server.baseUrl}/sessions/${aliceSession}`, { headers: as('alice-token') });
    expect(own.status).toBe(200);
    const other = await fetch(`${server.baseUrl}/sessions/${bobSession}`, { headers: as('alice-token') });
    expect(other.status).toBe(403);
    expect(((await other.json()) as any).error).toMatchObject({ code: 'FORBIDDEN', details: { sessionId: bobSession, action: 'read' } });
    const message = await fetch(`${server.baseUrl}/sessions/${bobSession}/message`, {
      method: 'POST',
      headers: { ...as('alice-token'), 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'hi' }),
    });
    expect(message.status).toBe(403);
    const list = (await (await fetch(`${server.baseUrl}/sessions`, { headers: as('alice-token') })).json()) as any;
    expect(list.sessions.map((session: { sessionId: string }) => session.sessionId)).toEqual([aliceSession]);
  });

  it('guards interrupt, terminate and read-file with 403 naming the action; the owner passes', async () => {
    server.engine.writeFile(bobSession, { path: 'secret.txt', content: 'bob only' });
    const attempts = [
      ['POST', `/sessions/${bobSession}/interrupt`, 'interrupt'],
      ['DELETE', `/sessions/${bobSession}`, 'terminate'],
      ['GET', `/sessions/${bobSession}/files/secret.txt`, 'read-file'],
    ] as const;
    for (const [method, path, action] of attempts) {
      const refused = await fetch(`${server.baseUrl}${path}`, { method, headers: as('alice-token') });
      expect(refused.status, `${method} ${path}`).toBe(403);
      expect(((await refused.json()) as any).error).toMatchObject({ code: 'FORBIDDEN', details: { sessionId: bobSession, action } });
      expect(asked).toContain(`alice ${action} ${bobSession}`);
    }
    // Nothing happened to Bob's session.
    expect((await server.engine.getSession(bobSession)).status).not.toBe('completed');
    const file = await fetch(`${server.baseUrl}/sessions/${bobSession}/files/secret.txt`, { headers: as('bob-token') });
    expect(await file.json()).toEqual({ path: 'secret.txt', content: 'bob only' });
    const interrupt = await fetch(`${server.baseUrl}/sessions/${bobSession}/interrupt`, { method: 'POST', headers: as('bob-token') });
    expect(await interrupt.json()).toEqual({ success: true, sessionId: bobSession, interrupted: false });
  });

  it('guards session:join', async () => {
    const socket = await FrameSocket.connect(server.websocketUrl, { headers: as('alice-token') });
    expect(await socket.join(bobSession)).toEqual({ success: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect(await socket.join(aliceSession)).toMatchObject({ success: true });
    server.engine.streamDeltas(bobSession, 2);
    server.engine.streamDeltas(aliceSession, 2);
    await socket.waitUntil(() => socket.sessionEvents(aliceSession).length === 3);
    expect(socket.sessionEvents(bobSession)).toEqual([]);
    socket.terminate();
  });

  it('sessions:list over WebSocket shows each client only its sessions', async () => {
    const socket = await FrameSocket.connect(server.websocketUrl, { headers: as('bob-token') });
    await server.engine.terminateSession(aliceSession);
    const frame = await socket.waitForFrame((candidate) => candidate.event === 'sessions:list');
    expect((frame.data as any).sessions.map((session: { sessionId: string }) => session.sessionId)).toEqual([bobSession]);
    socket.terminate();
  });
});

describe('cors', () => {
  it('answers preflight for the configured origin only', async () => {
    const allowed = await fetch(`${server.baseUrl}/sessions/create`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await fetch(`${server.baseUrl}/health`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });

  it('is off by default', async () => {
    const plain = await startTestServer();
    try {
      const response = await fetch(`${plain.baseUrl}/health`, { headers: { origin: 'https://app.example' } });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await plain.close();
    }
  });
});
