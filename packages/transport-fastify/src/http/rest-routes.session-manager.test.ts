import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSocket } from '../test/frame-socket.js';
import { gatedEchoTurn, startSessionManagerServer, type SessionManagerServer } from '../test/session-manager-server.js';

/**
 * The REST routes and the WebSocket over the real SessionManager (memory persistence, fake
 * sandbox, scripted agent whose turns a test releases): what the engine does, not what a fake invents.
 */
let server: SessionManagerServer;
const gated = gatedEchoTurn();
let turnIndex = 0;

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

async function createSession(): Promise<string> {
  const { status, body } = await call('POST', '/sessions/create', { agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
  expect(status).toBe(200);
  return body!.sessionId as string;
}

const turnEnds = (sessionId: string) => server.events.filter((event) => event.event === 'session:turn:end' && event.sessionId === sessionId);
const turnEnd = (sessionId: string, count: number) =>
  server.waitForEvent((event) => event.event === 'session:turn:end' && event.sessionId === sessionId && turnEnds(sessionId).length >= count);

beforeAll(async () => {
  server = await startSessionManagerServer(gated.script);
});
afterAll(async () => {
  await server?.close();
});

describe('REST over SessionManager', () => {
  it('a retried clientMessageId is acknowledged again and runs once', async () => {
    const sessionId = await createSession();
    const index = turnIndex++;
    const first = await call('POST', `/sessions/${sessionId}/message`, { content: 'hello', clientMessageId: 'm-1' });
    expect(first).toEqual({ status: 200, body: { success: true, sessionId, queued: false, clientMessageId: 'm-1' } });
    const retry = await call('POST', `/sessions/${sessionId}/message`, { content: 'hello', clientMessageId: 'm-1' });
    expect(retry).toEqual(first);
    gated.release(index);
    await turnEnd(sessionId, 1);
    // A third copy after the turn ended is still the same acknowledged message.
    expect(await call('POST', `/sessions/${sessionId}/message`, { content: 'hello', clientMessageId: 'm-1' })).toEqual(first);
    const session = await call('GET', `/sessions/${sessionId}`);
    const blocks = session.body!.blocks as { type: string; content: unknown }[];
    expect(blocks.filter((block) => block.type === 'user_message')).toHaveLength(1);
    expect(blocks.at(-1)).toMatchObject({ type: 'assistant_text', content: 'echo: hello' });
    expect(server.events.filter((event) => event.event === 'session:turn:start' && event.sessionId === sessionId)).toHaveLength(1);
  });

  it('a message sent during a turn is queued (200, queued: true) and runs after it, in order', async () => {
    const sessionId = await createSession();
    const firstIndex = turnIndex++;
    const secondIndex = turnIndex++;
    expect((await call('POST', `/sessions/${sessionId}/message`, { content: 'one' })).body).toMatchObject({ queued: false });
    await gated.started(firstIndex);
    const second = await call('POST', `/sessions/${sessionId}/message`, { content: 'two' });
    expect(second).toEqual({ status: 200, body: { success: true, sessionId, queued: true } });
    gated.release(firstIndex);
    await turnEnd(sessionId, 1);
    await gated.started(secondIndex);
    gated.release(secondIndex);
    await turnEnd(sessionId, 2);
    const blocks = (await call('GET', `/sessions/${sessionId}`)).body!.blocks as { type: string; content: unknown }[];
    expect(blocks.map((block) => block.content)).toEqual(['one', 'echo: one', 'two', 'echo: two']);
  });

  it('interrupt ends the running turn as interrupted; the next message runs', async () => {
    const sessionId = await createSession();
    const index = turnIndex++;
    expect(await call('POST', `/sessions/${sessionId}/interrupt`)).toEqual({ status: 200, body: { success: true, sessionId, interrupted: false } });
    await call('POST', `/sessions/${sessionId}/message`, { content: 'long' });
    await gated.started(index);
    expect((await call('POST', `/sessions/${sessionId}/interrupt`)).body).toEqual({ success: true, sessionId, interrupted: true });
    const end = await turnEnd(sessionId, 1);
    expect(end.data).toMatchObject({ outcome: 'interrupted' });
    const nextIndex = turnIndex++;
    const next = await call('POST', `/sessions/${sessionId}/message`, { content: 'next' });
    expect(next).toEqual({ status: 200, body: { success: true, sessionId, queued: false } });
    gated.release(nextIndex);
    expect((await turnEnd(sessionId, 2)).data).toMatchObject({ outcome: 'completed' });
  });

  it('POST /sessions/:id/warm and the session:warm event warm a session (409 once terminated, 404 unknown); warm: true is accepted at create', async () => {
    const sessionId = await createSession();
    expect(await call('POST', `/sessions/${sessionId}/warm`)).toEqual({ status: 200, body: { success: true, sessionId, warming: true } });
    const socket = await FrameSocket.connect(server.websocketUrl);
    try {
      expect(await socket.request('session:warm', [sessionId])).toEqual({ success: true, warming: true });
      expect(await socket.request('session:warm', [])).toMatchObject({ success: false, error: { code: 'INVALID_INPUT' } });
    } finally {
      socket.terminate();
    }
    const hinted = await call('POST', '/sessions/create', { agentProfileRef: 'helper', architecture: 'claude-agent-sdk', warm: true });
    expect(hinted.status).toBe(200);
    expect((await call('POST', '/sessions/create', { agentProfileRef: 'helper', architecture: 'claude-agent-sdk', warm: 'yes' })).status).toBe(400);
    await call('DELETE', `/sessions/${sessionId}`);
    expect((await call('POST', `/sessions/${sessionId}/warm`)).body!.error.code).toBe('SESSION_TERMINATED');
    expect((await call('POST', '/sessions/00000000-0000-4000-8000-000000000000/warm')).status).toBe(404);
  });

  it('DELETE terminates: later messages get 409 SESSION_TERMINATED', async () => {
    const sessionId = await createSession();
    expect(await call('DELETE', `/sessions/${sessionId}`)).toEqual({ status: 200, body: { success: true, sessionId } });
    const after = await call('POST', `/sessions/${sessionId}/message`, { content: 'hi' });
    expect(after.status).toBe(409);
    expect(after.body!.error.code).toBe('SESSION_TERMINATED');
  });

  it('the WebSocket streams a turn of the real engine, with consecutive seq', async () => {
    const sessionId = await createSession();
    const socket = await FrameSocket.connect(server.websocketUrl);
    try {
      expect(await socket.join(sessionId)).toMatchObject({ success: true });
      const index = turnIndex++;
      await call('POST', `/sessions/${sessionId}/message`, { content: 'streamed' });
      gated.release(index);
      await socket.waitUntil(() => socket.sessionEvents(sessionId).some((frame) => frame.event === 'session:turn:end'));
      const frames = socket.sessionEvents(sessionId);
      expect(frames.filter((frame) => frame.event === 'session:block:delta').map((frame) => frame.data.delta)).toEqual(['echo: streamed']);
      const seqs = frames.map((frame) => frame.seq!);
      expect(seqs).toEqual(seqs.map((_, offset) => seqs[0]! + offset));
    } finally {
      socket.terminate();
    }
  });
});
