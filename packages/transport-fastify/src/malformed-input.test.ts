import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSocket, startTestServer, type TestServer } from './test/index.js';

/**
 * At least 1,000 malformed bodies and frames: wrong types, huge strings, unknown events, invalid
 * JSON, path traversal, deep nesting. Each gets a clear 4xx JSON error or an `error` frame with a
 * code, and the server keeps serving.
 */

let server: TestServer;
let sessionId: string;

beforeAll(async () => {
  server = await startTestServer({ maxBodyBytes: 256 * 1024, maxMessageBytes: 16 * 1024 });
  sessionId = (await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' })).sessionId;
});
afterAll(async () => {
  await server.close();
});

/** A raw HTTP request (fetch would normalise `..` and refuse some inputs). */
function raw(method: string, path: string, body?: string, contentType = 'application/json'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(server.baseUrl);
    const request = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: body === undefined ? {} : { 'content-type': contentType } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

const wrongValues: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, '', ' ', 'x'.repeat(300), [], [1, 2], {}, { a: 1 }, '\u0000', '\ud800'];
const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

function malformedCreateBodies(): string[] {
  const bodies: string[] = [];
  for (const value of wrongValues) {
    bodies.push(JSON.stringify({ agentProfileRef: value, architecture: 'claude-agent-sdk' }));
    bodies.push(JSON.stringify({ agentProfileRef: 'code-assistant', architecture: value }));
    bodies.push(JSON.stringify({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk', name: typeof value === 'string' ? 1 : value, metadata: 'no' }));
    bodies.push(JSON.stringify(value));
  }
  for (let index = 0; index < 60; index++) {
    bodies.push('{"agentProfileRef":' + '"x'.repeat(index)); // truncated JSON
    bodies.push(`{${'"a":1,'.repeat(index)}}`); // trailing comma
    bodies.push(`agentProfileRef=${index}`); // not JSON
  }
  for (const depth of [10, 100, 1000, 5000, 20000]) {
    bodies.push(deep(depth));
    bodies.push(deepObject(depth));
    bodies.push(JSON.stringify({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk', metadata: JSON.parse(deepObject(Math.min(depth, 1000))) }).replace('"code-assistant"', '7'));
  }
  bodies.push(JSON.stringify({ agentProfileRef: 'x'.repeat(1000), architecture: 'claude-agent-sdk' }));
  bodies.push(JSON.stringify({ agentProfileRef: 'x'.repeat(300 * 1024), architecture: 'claude-agent-sdk' })); // > maxBodyBytes
  bodies.push('{"__proto__":{"polluted":true},"agentProfileRef":1}');
  bodies.push('{"constructor":{"prototype":{"polluted":true}}}');
  bodies.push('');
  return bodies;
}

function malformedMessageBodies(): string[] {
  const bodies: string[] = [];
  for (const value of wrongValues) {
    if (typeof value !== 'string' || value === '') bodies.push(JSON.stringify({ content: value }));
    bodies.push(JSON.stringify({ content: 'hi', clientMessageId: value === 'x'.repeat(300) ? value : typeof value === 'string' && value !== '' ? 7 : value }));
    bodies.push(JSON.stringify({ content: [{ type: 'image' }, value] }));
    bodies.push(JSON.stringify({ content: [{ type: 'video', text: 'x' }] }));
  }
  for (let index = 0; index < 100; index++) bodies.push(`{"content": ${'['.repeat(index % 50)}`);
  return bodies;
}

const traversals = [
  '..%2F..%2Fetc%2Fpasswd',
  '..%2f..%2f..%2fetc%2fshadow',
  '%2Fetc%2Fpasswd',
  '%2e%2e%2fsecret',
  'a%2F..%2F..%2Fb',
  'a%5C..%5Cb',
  'C%3A%5Cwindows',
  'foo%00.txt',
  '.%2F..%2F.ssh%2Fid_rsa',
  '..',
  '..%2F',
  '%2E%2E',
  'a/../../b',
  './../x',
  '%2F%2Fhost%2Fshare',
];

function expectErrorBody(response: { status: number; body: string }, context: string): void {
  expect(response.status, context).toBeGreaterThanOrEqual(400);
  expect(response.status, context).toBeLessThan(500);
  const parsed = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown } };
  expect(typeof parsed.error?.code, context).toBe('string');
  expect(typeof parsed.error?.message, context).toBe('string');
}

describe('malformed input', () => {
  it('answers 1,000+ malformed REST requests with a clear 4xx JSON error', async () => {
    let count = 0;
    const createBodies = malformedCreateBodies();
    for (const body of createBodies) {
      expectErrorBody(await raw('POST', '/sessions/create', body), `create ${body.slice(0, 80)}`);
      count++;
    }
    for (const body of malformedMessageBodies()) {
      expectErrorBody(await raw('POST', `/sessions/${sessionId}/message`, body), `message ${body.slice(0, 80)}`);
      count++;
    }
    for (const path of traversals) {
      const response = await raw('GET', `/sessions/${sessionId}/files/${path}`);
      expectErrorBody(response, `file ${path}`);
      expect(['PATH_REFUSED', 'NOT_FOUND', 'INVALID_INPUT'], path).toContain(JSON.parse(response.body).error.code);
      count++;
    }
    const badIds = ['%00', 'a'.repeat(300), '%2e%2e', 'a%20b', '%FF', '%', '%zz', '<script>'];
    for (const id of badIds) {
      for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['POST', '/interrupt'], ['GET', '/files/a.txt']] as const) {
        expectErrorBody(await raw(method, `/sessions/${id}${suffix}`), `${method} ${id}${suffix}`);
        count++;
      }
    }
    for (const body of ['x', '<xml/>', 'a=b']) {
      for (const contentType of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        expectErrorBody(await raw('POST', '/sessions/create', body, contentType), `${contentType} ${body}`);
        count++;
      }
    }
    // Wrong methods and unknown routes.
    for (const [method, path] of [['PUT', '/sessions/create'], ['PATCH', `/sessions/${sessionId}`], ['GET', '/sessions/create/x'], ['POST', '/nope']] as const) {
      expectErrorBody(await raw(method, path), `${method} ${path}`);
      count++;
    }
    // Fill up to well over 500 REST cases with random garbage bodies.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    while (count < 600) {
      const length = Math.floor(random() * 200);
      const garbage = Array.from({ length }, () => String.fromCharCode(32 + Math.floor(random() * 95))).join('');
      expectErrorBody(await raw('POST', random() < 0.5 ? '/sessions/create' : `/sessions/${sessionId}/message`, `{${garbage}`), `garbage ${garbage}`);
      count++;
    }
    expect(count).toBeGreaterThanOrEqual(600);
    const healthy = await raw('GET', `/sessions/${sessionId}`);
    expect(healthy.status).toBe(200);
  });

  it('answers 500+ malformed WebSocket frames with an error frame (and a failed ack); the connection survives', async () => {
    const socket = await FrameSocket.connect(server.websocketUrl);
    const frames: (string | Buffer)[] = [];
    const withAck: boolean[] = [];
    const push = (frame: string | Buffer, ack = false) => {
      frames.push(frame);
      withAck.push(ack);
    };
    for (const value of wrongValues) {
      push(JSON.stringify(value));
      push(JSON.stringify({ event: value, args: [] }));
      push(JSON.stringify({ event: 'session:join', args: value, ack: 1 }), true);
      // A string id that is well-formed gets SESSION_NOT_FOUND; anything else INVALID_INPUT.
      push(JSON.stringify({ event: 'session:join', args: [value], ack: 2 }), true);
      if (value !== 0) push(JSON.stringify({ event: 'session:join', args: [sessionId, { since: value }], ack: 3 }), true);
      const validLeaveId = typeof value === 'string' && value.length >= 1 && value.length <= 200;
      if (!validLeaveId) push(JSON.stringify({ event: 'session:leave', args: [value], ack: 4 }), true);
      if (value !== 0) push(JSON.stringify({ event: 'session:join', args: [sessionId], ack: value }));
    }
    for (let index = 0; index < 100; index++) push(JSON.stringify({ event: `unknown:event:${index}`, args: [sessionId], ack: 1000 + index }), true);
    for (let index = 0; index < 100; index++) push(`{"event":"session:join","args":[${'"x'.repeat(index % 7)}`);
    for (let index = 0; index < 50; index++) push(Buffer.from([index, 0xff, 0x00]));
    for (const depth of [10, 100, 1000, 5000]) {
      push(deep(depth));
      push(JSON.stringify({ event: 'session:join', args: [JSON.parse(deepObject(Math.min(depth, 1000)))], ack: 5 }), true);
    }
    for (let index = 0; index < 20; index++) push(JSON.stringify({ event: 'session:join', args: ['x'.repeat(17 * 1024)] })); // > maxMessageBytes
    push(JSON.stringify({ event: 'session:join', args: [sessionId, { since: 1, extra: true }], ack: 6 }), true);
    push(JSON.stringify({ event: 'session:join', args: [sessionId, {}, 'third'], ack: 7 }), true);
    push(JSON.stringify({ event: 'session:join', args: ['ghost-session'], ack: 8 }), true);
    while (frames.length < 520) push(`not json ${frames.length}`);

    for (const frame of frames) socket.sendRaw(frame);
    const expectedErrors = frames.length;
    const expectedAcks = withAck.filter(Boolean).length;
    await socket.waitUntil(
      () => socket.events.filter((frame) => frame.event === 'error').length >= expectedErrors && socket.frames.filter((frame) => 'ack' in frame).length >= expectedAcks,
      30_000,
    );
    const errors = socket.events.filter((frame) => frame.event === 'error');
    expect(errors).toHaveLength(expectedErrors);
    for (const error of errors) {
      expect(typeof error.data.code).toBe('string');
      expect(typeof error.data.message).toBe('string');
    }
    const acks = socket.frames.filter((frame) => 'ack' in frame);
    expect(acks).toHaveLength(expectedAcks);
    for (const ack of acks) expect((ack.result as { success: boolean }).success).toBe(false);
    // Still serving: a normal join works and events flow.
    expect(await socket.join(sessionId)).toMatchObject({ success: true });
    server.engine.streamDeltas(sessionId, 1, { text: () => 'still alive' });
    await socket.waitUntil(() => socket.sessionEvents(sessionId).some((frame) => frame.data.delta === 'still alive'));
    socket.terminate();
    const healthy = await raw('GET', '/health');
    expect(healthy.status).toBe(200);
  });
});
