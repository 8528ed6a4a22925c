import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test/index.js';

let server: TestServer;

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

async function createSession(): Promise<string> {
  const { body } = await call('POST', '/sessions/create', { agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
  return body!.sessionId as string;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('REST routes of the reference', () => {
  it('POST /sessions/create -> {sessionId, status, createdAt}', async () => {
    const { status, body } = await call('POST', '/sessions/create', { agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    expect(status).toBe(200);
    expect(Object.keys(body!).sort()).toEqual(['createdAt', 'sessionId', 'status']);
    expect(body).toMatchObject({ sessionId: expect.any(String), status: 'building-sandbox', createdAt: expect.any(Number) });
  });

  it('GET /sessions -> {sessions: [{sessionId, type, agentProfileReference, status, lastActivity, createdAt}]}', async () => {
    const sessionId = await createSession();
    const { status, body } = await call('GET', '/sessions');
    expect(status).toBe(200);
    expect(Object.keys(body!)).toEqual(['sessions']);
    const session = (body!.sessions as Record<string, unknown>[]).find((candidate) => candidate.sessionId === sessionId);
    expect(session).toMatchObject({
      sessionId,
      type: 'claude-agent-sdk',
      agentProfileReference: 'code-assistant',
      status: expect.any(String),
      lastActivity: expect.any(Number),
      createdAt: expect.any(Number),
    });
  });

  it('GET /sessions/:sessionId -> {sessionId, type, agentProfileReference, status, blocks, workspaceFiles, subagents}', async () => {
    const sessionId = await createSession();
    server.engine.writeFile(sessionId, { path: 'src/a.txt', content: 'hello' });
    const { status, body } = await call('GET', `/sessions/${sessionId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      sessionId,
      type: 'claude-agent-sdk',
      agentProfileReference: 'code-assistant',
      status: 'active',
      blocks: [],
      workspaceFiles: [{ path: 'src/a.txt', content: 'hello' }],
      subagents: [],
      lastEventSeq: expect.any(Number),
    });
  });

  it('POST /sessions/:sessionId/message -> {success, sessionId, queued, clientMessageId}', async () => {
    // That a retried clientMessageId runs once, and that a message during a turn is queued, is the
    // engine's behaviour: rest-routes.session-manager.test.ts proves both against SessionManager.
    const sessionId = await createSession();
    const first = await call('POST', `/sessions/${sessionId}/message`, { content: 'What files are in this directory?', clientMessageId: 'm-1' });
    expect(first).toEqual({ status: 200, body: { success: true, sessionId, queued: false, clientMessageId: 'm-1' } });
    await server.engine.idle(sessionId);
  });

  it('DELETE /sessions/:sessionId -> {success, sessionId}; then messages get 409 SESSION_TERMINATED', async () => {
    const sessionId = await createSession();
    const { status, body } = await call('DELETE', `/sessions/${sessionId}`);
    expect(status).toBe(200);
    expect(body).toEqual({ success: true, sessionId });
    const after = await call('POST', `/sessions/${sessionId}/message`, { content: 'hi' });
    expect(after.status).toBe(409);
    expect(after.body!.error.code).toBe('SESSION_TERMINATED');
  });
});

describe('REST routes beyond the reference', () => {
  it('POST /sessions/:sessionId/interrupt -> {success, sessionId, interrupted}', async () => {
    const sessionId = await createSession();
    const idle = await call('POST', `/sessions/${sessionId}/interrupt`);
    expect(idle).toEqual({ status: 200, body: { success: true, sessionId, interrupted: false } });
    await call('POST', `/sessions/${sessionId}/message`, { content: 'a long question '.repeat(20) });
    const running = await call('POST', `/sessions/${sessionId}/interrupt`);
    expect(running.body).toEqual({ success: true, sessionId, interrupted: true });
    const next = await call('POST', `/sessions/${sessionId}/message`, { content: 'again' });
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ success: true, sessionId });
    await server.engine.idle(sessionId);
    const { body } = await call('GET', `/sessions/${sessionId}`);
    expect((body!.blocks as { type: string; content: unknown }[]).at(-1)).toMatchObject({ type: 'assistant_text', content: 'You said: again' });
  });

  it('GET /sessions/:sessionId/files/* -> the WorkspaceFile; 404 FILE_NOT_FOUND; 400 PATH_REFUSED', async () => {
    const sessionId = await createSession();
    server.engine.writeFile(sessionId, { path: 'docs/read me.md', content: '# hi' });
    const file = await call('GET', `/sessions/${sessionId}/files/docs/read%20me.md`);
    expect(file).toEqual({ status: 200, body: { path: 'docs/read me.md', content: '# hi' } });
    const missing = await call('GET', `/sessions/${sessionId}/files/nope.txt`);
    expect(missing.status).toBe(404);
    expect(missing.body!.error.code).toBe('FILE_NOT_FOUND');
    const traversal = await call('GET', `/sessions/${sessionId}/files/..%2F..%2Fetc%2Fpasswd`);
    expect(traversal.status).toBe(400);
    expect(traversal.body!.error).toMatchObject({ code: 'PATH_REFUSED', details: { field: 'path' } });
  });

  it('GET /agent-profiles -> {profiles}', async () => {
    const { status, body } = await call('GET', '/agent-profiles');
    expect(status).toBe(200);
    expect(body!.profiles[0]).toEqual({ id: 'code-assistant', name: 'Code assistant', description: 'Writes code' });
  });

  it('GET /health and GET /ready', async () => {
    expect(await call('GET', '/health')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await call('GET', '/ready')).toEqual({ status: 200, body: { status: 'ready' } });
    server.engine.ready = false;
    expect(await call('GET', '/ready')).toEqual({ status: 503, body: { status: 'not-ready' } });
    server.engine.ready = true;
  });

  it('GET /openapi.json documents every route', async () => {
    const { status, body } = await call('GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body!.openapi).toBe('3.1.0');
    expect(Object.keys(body!.paths).sort()).toEqual(
      [
        '/agent-profiles',
        '/health',
        '/metrics',
        '/openapi.json',
        '/ready',
        '/sessions',
        '/sessions/create',
        '/sessions/{sessionId}',
        '/sessions/{sessionId}/files',
        '/sessions/{sessionId}/files/{path}',
        '/sessions/{sessionId}/interrupt',
        '/sessions/{sessionId}/permissions/{requestId}',
        '/sessions/{sessionId}/questions/{requestId}',
        '/sessions/{sessionId}/workspace.tar',
        '/sessions/{sessionId}/message',
      ].sort(),
    );
    expect(body!.components.schemas.CreateSessionRequest.required).toEqual(['agentProfileRef', 'architecture']);
  });

  it('GET / (the WebSocket path) answers plain HTTP with a pointer', async () => {
    expect((await call('GET', '/')).body).toMatchObject({ service: 'agent-runtime', websocket: '/' });
  });
});

describe('REST errors', () => {
  it('400 INVALID_INPUT names the bad field', async () => {
    const { status, body } = await call('POST', '/sessions/create', { agentProfileRef: 'code-assistant', architecture: 'gpt' });
    expect(status).toBe(400);
    expect(body!.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'architecture' } });
    expect(body!.error.message).toMatch(/^architecture: /);
  });

  it('400 on invalid JSON, in our JSON shape', async () => {
    const { status, body } = await call('POST', '/sessions/create', '{"agentProfileRef":');
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'INVALID_INPUT', message: expect.any(String), details: expect.any(Object) } });
  });

  it('404 SESSION_NOT_FOUND, PROFILE_NOT_FOUND and NOT_FOUND', async () => {
    const session = await call('GET', '/sessions/nope');
    expect(session.status).toBe(404);
    expect(session.body!.error).toMatchObject({ code: 'SESSION_NOT_FOUND', details: { sessionId: 'nope' } });
    const profile = await call('POST', '/sessions/create', { agentProfileRef: 'ghost', architecture: 'gemini-cli' });
    expect(profile.status).toBe(404);
    expect(profile.body!.error.code).toBe('PROFILE_NOT_FOUND');
    const route = await call('GET', '/no/such/route');
    expect(route.status).toBe(404);
    expect(route.body!.error.code).toBe('NOT_FOUND');
  });

  it('413 PAYLOAD_TOO_LARGE above maxBodyBytes', async () => {
    const small = await startTestServer({ maxBodyBytes: 1024 });
    try {
      const response = await fetch(`${small.baseUrl}/sessions/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agentProfileRef: 'x'.repeat(5000), architecture: 'gemini-cli' }),
      });
      expect(response.status).toBe(413);
      expect(((await response.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      await small.close();
    }
  });

  it('500 INTERNAL_ERROR reveals nothing', async () => {
    const engine = server.engine;
    const original = engine.listAgentProfiles.bind(engine);
    engine.listAgentProfiles = async () => {
      throw new Error('database password is hunter2');
    };
    try {
      const { status, body } = await call('GET', '/agent-profiles');
      expect(status).toBe(500);
      expect(body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error.' } });
    } finally {
      engine.listAgentProfiles = original;
    }
  });
});
