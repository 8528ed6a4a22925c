import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import type { AgentRuntime } from '../src/index.js';
import { offlineRuntime } from './offline-runtime.js';

/**
 * Attacks on the server of a real runtime (SQLite, local sandbox, the real Claude Code CLI against
 * the scripted model), as issue 12 lists them: a DNS-rebinding Host, a foreign-Origin WebSocket
 * upgrade, a cross-site text/plain POST to /interrupt, deep and huge metadata (and deep metadata
 * already stored), and bounds on sessions, connections and message rate — each refused with a
 * coded 4xx while the runtime goes on serving. Then a real turn moves the turn counter of /metrics.
 */
let model: ModelServer;
let dataDir: string;
let runtime: AgentRuntime;
let port: number;
let storedDeepSessionId: string;

interface RawResponse {
  status: number;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          // Prometheus text
        }
        resolve({ status: response.statusCode ?? 0, body: parsed, headers: response.headers });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

const json = { 'content-type': 'application/json' };
const createBody = (extra: Record<string, unknown> = {}) => JSON.stringify({ agentProfileRef: 'writer', architecture: 'claude-agent-sdk', ...extra });

/** Opens a WebSocket; resolves with the socket, or with the HTTP status that refused the upgrade. */
function upgrade(headers: Record<string, string> = {}): Promise<{ socket?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`, { headers });
    socket.once('open', () => resolve({ socket }));
    socket.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode });
      socket.on('error', () => {}); // terminating a refused upgrade reports one; it is expected
      socket.terminate();
    });
  });
}

/** `{"a":{"a":...}}` nested `depth` levels, written by hand (JSON.stringify can overflow on it). */
const deepJson = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

beforeAll(async () => {
  model = await startModelServer({
    turns: [{ id: 'hello', match: { lastUserText: /hello/i }, reply: { text: 'Hello back.' }, times: 'always' }],
    fallback: { text: 'ok' },
  });
  dataDir = mkdtempSync(join(tmpdir(), 'attack-server-'));
  const made = offlineRuntime({
    database: join(dataDir, 'runtime.db'),
    dataDir,
    modelServerUrl: model.url,
    agents: ['claude-agent-sdk'],
    server: {
      limits: { sessionsPerPrincipal: 6, connectionsPerPrincipal: 3, messagesPerWindow: 4, messageWindowMs: 60_000 },
      // No authenticate hook here, so every caller is 127.0.0.1: tell the tests' callers apart by a header.
      principalKey: (_principal, request) => String(request.headers['x-test-caller'] ?? request.ip),
    },
  });
  await made.persistence.seedProfiles([{ id: 'writer', name: 'Writer' }]);
  // A session whose metadata was stored before any bound existed (4,109 levels once made GET /sessions 500 for good).
  storedDeepSessionId = 'stored-deep';
  await made.persistence.createSessionRecord({
    sessionId: storedDeepSessionId,
    type: 'claude-agent-sdk',
    agentProfileReference: 'writer',
    status: 'inactive',
    createdAt: Date.now(),
    metadata: JSON.parse(`{"deep":${deepJson(4109)}}`),
  });
  runtime = made.runtime;
  await runtime.start();
  port = Number(new URL(runtime.url!).port);
});

afterAll(async () => {
  await runtime?.stop();
  await model?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('attacks on the server of a real runtime', () => {
  it('listens on loopback only (no authenticate hook configured)', () => {
    expect(runtime.host).toBe('127.0.0.1');
    expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });

  it('refuses a DNS-rebinding Host on REST and on the upgrade', async () => {
    const rebinding = await raw('GET', '/sessions', { host: `attacker.example:${port}` });
    expect(rebinding.status).toBe(403);
    expect(rebinding.body.error).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'host' } });
    expect((await upgrade({ host: `attacker.example:${port}` })).status).toBe(403);
    expect((await raw('GET', '/sessions', { host: `localhost:${port}` })).status).toBe(200);
  });

  it('refuses a WebSocket upgrade from a foreign Origin; same-origin works', async () => {
    expect((await upgrade({ origin: 'https://attacker.example' })).status).toBe(403);
    const same = await upgrade({ origin: `http://127.0.0.1:${port}` });
    expect(same.socket).toBeDefined();
    same.socket!.terminate();
  });

  it('refuses a cross-site text/plain POST to /interrupt (415) and a bodyless one from a foreign Origin (403)', async () => {
    const created = await raw('POST', '/sessions/create', json, createBody());
    const sessionId = created.body.sessionId as string;
    const simple = await raw('POST', `/sessions/${sessionId}/interrupt`, { 'content-type': 'text/plain', origin: 'https://attacker.example' }, '{}');
    expect([403, 415]).toContain(simple.status); // origin (403) or content type (415): both refuse it
    const plain = await raw('POST', `/sessions/${sessionId}/interrupt`, { 'content-type': 'text/plain' }, '{}');
    expect(plain.status).toBe(415);
    expect(plain.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const message = await raw('POST', `/sessions/${sessionId}/message`, { 'content-type': 'text/plain' }, '{"content":"injected"}');
    expect(message.status).toBe(415);
    const bodyless = await raw('POST', `/sessions/${sessionId}/interrupt`, { origin: 'https://attacker.example' });
    expect(bodyless.status).toBe(403);
    expect((await raw('GET', `/sessions/${sessionId}`)).body.blocks).toEqual([]);
    await raw('DELETE', `/sessions/${sessionId}`);
  });

  it('refuses deep and huge metadata with 400; stored deep metadata no longer breaks GET /sessions', async () => {
    const deep = await raw('POST', '/sessions/create', json, `{"agentProfileRef":"writer","architecture":"claude-agent-sdk","metadata":${deepJson(4109)}}`);
    expect(deep.status).toBe(400);
    expect(deep.body.error).toMatchObject({ code: 'INVALID_INPUT', details: { field: 'metadata' } });
    const huge = await raw('POST', '/sessions/create', json, createBody({ metadata: { blob: 'x'.repeat(3.5 * 1024 * 1024) } }));
    expect(huge.status).toBe(400);
    expect(huge.body.error.code).toBe('INVALID_INPUT');
    const list = await raw('GET', '/sessions');
    expect(list.status).toBe(200);
    const stored = list.body.sessions.find((session: { sessionId: string }) => session.sessionId === storedDeepSessionId);
    expect(stored.metadata).toEqual({ omitted: 'metadata is nested deeper than 32 levels' });
    expect((await raw('GET', `/sessions/${storedDeepSessionId}`)).status).toBe(200);
  });

  it('bounds connections, sessions and messages per principal with 429', async () => {
    const caller = { 'x-test-caller': 'bounds' };
    const sockets: WebSocket[] = [];
    for (let index = 0; index < 3; index++) sockets.push((await upgrade(caller)).socket!);
    const refused = await upgrade(caller);
    expect(refused.status).toBe(429);
    const other = await upgrade({ 'x-test-caller': 'someone-else' });
    expect(other.socket).toBeDefined();
    for (const socket of [...sockets, other.socket!]) socket.terminate();

    const ids: string[] = [];
    for (let index = 0; index < 6; index++) {
      const response = await raw('POST', '/sessions/create', { ...json, ...caller }, createBody());
      expect(response.status).toBe(200);
      ids.push(response.body.sessionId);
    }
    const tooMany = await raw('POST', '/sessions/create', { ...json, ...caller }, createBody());
    expect(tooMany.status).toBe(429);
    expect(tooMany.body.error).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'sessionsPerPrincipal', max: 6 } });
    for (const id of ids.slice(1)) await raw('DELETE', `/sessions/${id}`, caller);
    expect((await raw('POST', '/sessions/create', { ...json, ...caller }, createBody())).status).toBe(200);

    // 4 messages per window; the 5th is 429 and never reaches the engine's queue.
    const target = ids[0]!;
    const statuses: number[] = [];
    let limited: RawResponse | undefined;
    for (let index = 0; index < 5; index++) {
      const response = await raw('POST', `/sessions/${target}/message`, { ...json, ...caller }, JSON.stringify({ content: `say hello ${index}`, clientMessageId: `rate-${index}` }));
      statuses.push(response.status);
      if (response.status === 429) limited = response;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    expect(limited!.body.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 'messagesPerWindow', max: 4 } });
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    await raw('DELETE', `/sessions/${target}`, caller);
    expect((await raw('GET', '/health')).status).toBe(200);
  });

  it('GET /metrics: a real Claude Code turn moves agent_runtime_turns_total', async () => {
    const sample = (text: string, series: string) => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      return line === undefined ? 0 : Number(line.slice(series.length + 1));
    };
    const series = 'agent_runtime_turns_total{outcome="completed"}';
    const before = await raw('GET', '/metrics');
    expect(before.status).toBe(200);
    const created = await raw('POST', '/sessions/create', json, createBody());
    const sessionId = created.body.sessionId as string;
    const socket = (await upgrade()).socket!;
    const turnEnded = new Promise<Record<string, unknown>>((resolve) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { event?: string; data?: Record<string, unknown> };
        if (frame.event === 'session:turn:end' && frame.data?.sessionId === sessionId) resolve(frame.data);
      });
    });
    await new Promise<void>((resolve) => {
      socket.on('message', (data) => (JSON.parse(String(data)) as { ack?: number }).ack === 1 && resolve());
      socket.send(JSON.stringify({ event: 'session:join', args: [sessionId], ack: 1 }));
    });
    const sent = await raw('POST', `/sessions/${sessionId}/message`, json, JSON.stringify({ content: 'hello there' }));
    expect(sent.status).toBe(200);
    expect(await turnEnded).toMatchObject({ outcome: 'completed' });
    socket.terminate();
    const after = await raw('GET', '/metrics');
    expect(sample(after.body as string, series)).toBe(sample(before.body as string, series) + 1);
    expect(after.body as string).toMatch(/^agent_runtime_sandbox_starts_total [1-9]/m);
    expect(after.body as string).toMatch(/^agent_runtime_turn_duration_seconds_count\{outcome="completed"\} [1-9]/m);
  });
});
