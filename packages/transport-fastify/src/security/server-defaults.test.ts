import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSocket, startTestServer, type TestServer } from '../test/index.js';

let server: TestServer;
let port: number;

/** A raw HTTP request (fetch cannot set `Host`). */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const create = (body: unknown, headers: Record<string, string> = {}) => raw('POST', '/sessions/create', { ...json, ...headers }, JSON.stringify(body));

function nested(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let current = root;
  for (let level = 1; level < depth; level++) {
    const next: Record<string, unknown> = {};
    current.a = next;
    current = next;
  }
  return root;
}

beforeAll(async () => {
  server = await startTestServer({ allowedHosts: ['runtime.internal'], allowedOrigins: ['https://app.example'] });
  port = Number(new URL(server.baseUrl).port);
});
afterAll(async () => {
  await server.close();
});

describe('Host allowlist (DNS rebinding)', () => {
  it('refuses a foreign Host with 403 on REST and on the upgrade', async () => {
    const rebinding = await raw('GET', '/sessions', { host: `evil.example:${port}` });
    expect(rebinding.status).toBe(403);
    expect(rebinding.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'host' } });
    expect((await raw('GET', '/health', { host: 'evil.example' })).status).toBe(403);
    await expect(FrameSocket.connect(server.websocketUrl, { headers: { host: 'evil.example' } })).rejects.toMatchObject({ status: 403 });
  });

  it('serves localhost names, the address it listens on and configured names', async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'app.localhost', `runtime.internal:${port}`, 'RUNTIME.INTERNAL']) {
      expect((await raw('GET', '/sessions', { host })).status, host).toBe(200);
    }
  });
});

describe('Origin check', () => {
  it('refuses a WebSocket upgrade from a foreign Origin', async () => {
    await expect(FrameSocket.connect(server.websocketUrl, { headers: { origin: 'https://evil.example' } })).rejects.toMatchObject({ status: 403 });
  });

  it('accepts no Origin, the same origin and a configured one', async () => {
    for (const headers of [{}, { origin: server.baseUrl }, { origin: 'https://app.example' }] as Record<string, string>[]) {
      const socket = await FrameSocket.connect(server.websocketUrl, { headers });
      socket.terminate();
    }
  });

  it('refuses a bodyless cross-site POST to /interrupt and a cross-site DELETE', async () => {
    const { body } = await create({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const sessionId = body.sessionId as string;
    const interrupt = await raw('POST', `/sessions/${sessionId}/interrupt`, { origin: 'https://evil.example' });
    expect(interrupt.status).toBe(403);
    expect(interrupt.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'origin' } });
    expect((await raw('DELETE', `/sessions/${sessionId}`, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await raw('POST', `/sessions/${sessionId}/interrupt`, { origin: 'https://app.example' })).status).toBe(200);
    expect((await server.engine.getSession(sessionId)).status).not.toBe('completed');
  });
});

describe('JSON-only bodies', () => {
  it('refuses a text/plain cross-site simple POST with 415 before any handler runs', async () => {
    const { body } = await create({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const sessionId = body.sessionId as string;
    const before = server.engine.calls.length;
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      for (const path of [`/sessions/${sessionId}/interrupt`, `/sessions/${sessionId}/message`, '/sessions/create']) {
        // No Origin: the content type alone refuses it (e.g. a non-CORS sandboxed iframe sends "null").
        const response = await raw('POST', path, { 'content-type': contentType }, '{"content":"injected"}');
        expect(response.status, `${contentType} ${path}`).toBe(415);
        expect(response.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
    }
    expect(server.engine.calls.length).toBe(before);
  });
});

describe('metadata and name bounds', () => {
  it('refuses deep and huge metadata and a long name with 400 INVALID_INPUT', async () => {
    // Written by hand: JSON.stringify itself can overflow the stack on 4,109 levels.
    const deepJson = `${'{"a":'.repeat(4108)}{}${'}'.repeat(4108)}`;
    const deep = await raw('POST', '/sessions/create', json, `{"agentProfileRef":"code-assistant","architecture":"claude-agent-sdk","metadata":${deepJson}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'metadata' } });
    expect(deep.body.error.message).toMatch(/deeper than 16/);
    const huge = await create({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk', metadata: { blob: 'x'.repeat(64 * 1024) } });
    expect(huge.status).toBe(400);
    expect(huge.body.error.message).toMatch(/larger than/);
    const name = await create({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk', name: 'n'.repeat(201) });
    expect(name.status).toBe(400);
    expect(name.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'name' } });
    const fine = await create({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk', name: 'ok', metadata: nested(16) });
    expect(fine.status).toBe(200);
    // Metadata at the size bound, plus what the engine adds (usage, cost, model), is still served whole.
    const full = await create({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk', metadata: { blob: 'y'.repeat(16_000) } });
    expect(full.status).toBe(200);
    const listed = (await raw('GET', '/sessions', { host: 'localhost' })).body.sessions.find((session: any) => session.sessionId === full.body.sessionId);
    expect(listed.metadata.blob).toHaveLength(16_000);
  });

  it('a stored session with 4,109-deep metadata cannot make GET /sessions or sessions:list fail', async () => {
    // As if written before the bounds existed: straight into the engine, past the REST schema.
    const socket = await FrameSocket.connect(server.websocketUrl);
    const record = await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk', metadata: nested(4109) });
    const list = await raw('GET', '/sessions', { host: 'localhost' });
    expect(list.status).toBe(200);
    const stored = list.body.sessions.find((session: { sessionId: string }) => session.sessionId === record.sessionId);
    expect(stored.metadata).toEqual({ omitted: 'metadata is nested deeper than 32 levels' });
    expect((await raw('GET', `/sessions/${record.sessionId}`, { host: 'localhost' })).status).toBe(200);
    const frame = await socket.waitForFrame(
      (candidate) => candidate.event === 'sessions:list' && (candidate.data as any).sessions.some((session: any) => session.sessionId === record.sessionId),
    );
    const listed = (frame.data as any).sessions.find((session: any) => session.sessionId === record.sessionId);
    expect(listed.metadata).toEqual({ omitted: 'metadata is nested deeper than 32 levels' });
    socket.terminate();
  });
});
