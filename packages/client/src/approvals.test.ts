import type { PermissionRequest, QuestionRequest, RuntimeSessionData } from '@agent-runtime/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentRuntimeClientError } from './client-error.js';
import { RestClient } from './rest-client.js';
import { applySessionEvent, createSessionState, mainBlocks, type SessionEventFrame } from './session-state.js';
import { AgentRuntimeSocket } from './socket.js';
import { FakeWebSocket, FakeWebSocketConstructor } from './testing/fake-websocket.js';

const sessionId = 's-1';

function permission(requestId: string, createdAt = 1_000): PermissionRequest {
  return { kind: 'permission', sessionId, conversationId: 'main', requestId, toolName: 'Bash', toolUseId: `toolu_${requestId}`, input: { command: 'ls' }, createdAt, expiresAt: createdAt + 60_000 };
}

function question(requestId: string): QuestionRequest {
  return {
    kind: 'question',
    sessionId,
    conversationId: 'main',
    requestId,
    toolUseId: `toolu_${requestId}`,
    questions: [{ question: 'Which colour?', options: [{ label: 'red' }, { label: 'blue' }] }],
    createdAt: 2_000,
    expiresAt: 62_000,
  };
}

function snapshot(extra: Partial<RuntimeSessionData> = {}): RuntimeSessionData {
  return { sessionId, type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active', blocks: [], subagents: [], workspaceFiles: [], lastEventSeq: 0, ...extra } as RuntimeSessionData;
}

const fold = (frames: SessionEventFrame[], data = snapshot()) => frames.reduce(applySessionEvent, createSessionState(data));

describe('pending requests in the session state', () => {
  it('a request event adds the request and a pending approval block; its resolution removes it and resolves the block', () => {
    const pending = fold([
      { event: 'session:permission:request', data: permission('r1'), seq: 1 },
      { event: 'session:question:request', data: question('q1'), seq: 2 },
    ]);
    expect(pending.pendingRequests.map((request) => request.requestId)).toEqual(['r1', 'q1']);
    expect(mainBlocks(pending).map((block) => [block.id, block.type === 'approval' && block.status])).toEqual([
      ['approval:r1', 'pending'],
      ['approval:q1', 'pending'],
    ]);
    const resolved = applySessionEvent(pending, {
      event: 'session:permission:resolved',
      data: { sessionId, requestId: 'r1', decision: 'allow', by: 'alice', resolvedAt: 3_000 },
      seq: 3,
    });
    expect(resolved.pendingRequests.map((request) => request.requestId)).toEqual(['q1']);
    expect(mainBlocks(resolved)[0]).toMatchObject({ id: 'approval:r1', status: 'resolved', resolution: { decision: 'allow', by: 'alice' } });
    // Idempotent by seq: the same resolution again changes nothing.
    expect(applySessionEvent(resolved, { event: 'session:permission:resolved', data: { sessionId, requestId: 'r1', decision: 'allow', by: 'alice', resolvedAt: 3_000 }, seq: 3 })).toBe(resolved);
  });

  it('the engine’s own approval block replaces the one the client made (no duplicate) and its status drives the list', () => {
    const request = permission('r1');
    const block = { id: 'approval:r1', timestamp: '2026-01-01T00:00:00.000Z', type: 'approval' as const, request, status: 'pending' as const };
    const state = fold([
      { event: 'session:permission:request', data: request, seq: 1 },
      { event: 'session:block:start', data: { sessionId, conversationId: 'main', block }, seq: 2 },
    ]);
    expect(mainBlocks(state)).toHaveLength(1);
    expect(state.pendingRequests).toHaveLength(1);
    const updated = applySessionEvent(state, {
      event: 'session:block:update',
      data: { sessionId, conversationId: 'main', blockId: 'approval:r1', updates: { status: 'resolved' } },
      seq: 3,
    });
    expect(updated.pendingRequests).toEqual([]);
  });

  it('a block that arrives first (no request event) is listed too; a complete resolved block removes it', () => {
    const request = question('q1');
    const block = { id: 'approval:q1', timestamp: '2026-01-01T00:00:00.000Z', type: 'approval' as const, request, status: 'pending' as const };
    const started = fold([{ event: 'session:block:start', data: { sessionId, conversationId: 'main', block }, seq: 1 }]);
    expect(started.pendingRequests).toEqual([request]);
    const resolution = { decision: 'answered' as const, by: 'bob', answers: { 'Which colour?': 'red' }, resolvedAt: 5 };
    const completed = applySessionEvent(started, {
      event: 'session:block:complete',
      data: { sessionId, conversationId: 'main', blockId: 'approval:q1', block: { ...block, status: 'resolved', resolution } },
      seq: 2,
    });
    expect(completed.pendingRequests).toEqual([]);
    // A late replay of the request does not bring it back.
    expect(applySessionEvent(completed, { event: 'session:question:request', data: request, seq: 3 }).pendingRequests).toEqual([]);
  });

  it('a snapshot brings its pendingRequests, or the pending approval blocks when it has none', () => {
    expect(createSessionState(snapshot({ pendingRequests: [permission('r1')] })).pendingRequests.map((request) => request.requestId)).toEqual(['r1']);
    const blocks = [
      { id: 'approval:r2', timestamp: 't', type: 'approval' as const, request: permission('r2', 9), status: 'pending' as const },
      { id: 'approval:r3', timestamp: 't', type: 'approval' as const, request: permission('r3', 1), status: 'pending' as const },
      { id: 'approval:r4', timestamp: 't', type: 'approval' as const, request: permission('r4'), status: 'resolved' as const },
    ];
    expect(createSessionState(snapshot({ blocks })).pendingRequests.map((request) => request.requestId)).toEqual(['r3', 'r2']);
  });

  it('a request of a subagent gets its block in that conversation', () => {
    const state = fold([{ event: 'session:permission:request', data: { ...permission('r1'), conversationId: 'agent-7' }, seq: 1 }]);
    expect(state.conversations['agent-7']?.map((block) => block.id)).toEqual(['approval:r1']);
    expect(mainBlocks(state)).toEqual([]);
  });
});

describe('answering over REST', () => {
  it('POSTs the answer to the permission and question routes and returns the resolution', async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const rest = new RestClient({
      baseUrl: 'http://runtime/',
      token: 'tok',
      fetch: async (url, init) => {
        calls.push({ url, init });
        return new Response(JSON.stringify({ success: true, sessionId, requestId: 'r/1', resolution: { decision: 'allow', by: 'u', resolvedAt: 1 }, alreadyResolved: false }), { status: 200 });
      },
    });
    const answer = await rest.answerPermission(sessionId, 'r/1', { decision: 'allow', remember: true });
    expect(answer.resolution.decision).toBe('allow');
    await rest.answerQuestion(sessionId, 'q1', { answers: { 'Which colour?': 'red' } });
    expect(calls.map((call) => [call.init?.method, call.url, call.init?.body])).toEqual([
      ['POST', 'http://runtime/sessions/s-1/permissions/r%2F1', '{"decision":"allow","remember":true}'],
      ['POST', 'http://runtime/sessions/s-1/questions/q1', '{"answers":{"Which colour?":"red"}}'],
    ]);
    expect((calls[0]!.init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
  });

  it('a refused answer is an AgentRuntimeClientError with the server’s code', async () => {
    const rest = new RestClient({
      baseUrl: 'http://runtime',
      fetch: async () => new Response(JSON.stringify({ error: { code: 'REQUEST_NOT_FOUND', message: 'no such request' } }), { status: 404 }),
    });
    const failure = await rest.answerPermission(sessionId, 'nope', { decision: 'deny' }).catch((error: unknown) => error);
    expect(AgentRuntimeClientError.isInstance(failure) && [failure.code, failure.status]).toEqual(['REQUEST_NOT_FOUND', 404]);
  });
});

describe('answering over the socket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeWebSocket.instances = [];
  });
  afterEach(() => vi.useRealTimers());

  async function openSocket() {
    const socket = new AgentRuntimeSocket({ url: 'ws://runtime/', WebSocket: FakeWebSocketConstructor, logger: { error: vi.fn() }, ackTimeoutMs: 1_000 });
    const opened = socket.connect();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.latest.open();
    await opened;
    return { socket, server: FakeWebSocket.latest };
  }

  it('sends session:permission:respond / session:question:respond with an ack and resolves with its result', async () => {
    const { socket, server } = await openSocket();
    const answered = socket.answerPermission(sessionId, 'r1', { decision: 'deny', message: 'not now' });
    expect(server.sent.at(-1)).toMatchObject({ event: 'session:permission:respond', args: [sessionId, 'r1', { decision: 'deny', message: 'not now' }], ack: expect.any(Number) });
    const resolution = { decision: 'deny', by: 'u', message: 'not now', resolvedAt: 1 };
    server.answerLast({ success: true, sessionId, requestId: 'r1', resolution, alreadyResolved: false });
    await expect(answered).resolves.toMatchObject({ requestId: 'r1', resolution, alreadyResolved: false });

    const question = socket.answerQuestion(sessionId, 'q1', { decline: true });
    expect(server.sent.at(-1)).toMatchObject({ event: 'session:question:respond', args: [sessionId, 'q1', { decline: true }] });
    server.answerLast({ success: false, error: { code: 'REQUEST_NOT_FOUND', message: 'gone' } });
    await expect(question).rejects.toMatchObject({ code: 'REQUEST_NOT_FOUND', message: 'gone' });
  });

  it('rejects with TIMEOUT when no ack comes, and with DISCONNECTED when not connected', async () => {
    const { socket, server } = await openSocket();
    const answered = socket.answerPermission(sessionId, 'r1', { decision: 'allow' });
    const settled = expect(answered).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(1_000);
    await settled;
    server.close();
    await expect(socket.answerPermission(sessionId, 'r1', { decision: 'allow' })).rejects.toMatchObject({ code: 'DISCONNECTED' });
    socket.close();
  });

  it('the new server events are typed and delivered to `on` handlers', async () => {
    const { socket, server } = await openSocket();
    const seen: string[] = [];
    socket.on('session:permission:request', (data) => seen.push(`${data.toolName}:${data.requestId}`));
    socket.on('session:question:resolved', (data) => seen.push(`${data.decision}:${data.requestId}`));
    const join = socket.join(sessionId);
    await vi.advanceTimersByTimeAsync(0);
    server.answerLast({ success: true, latestSeq: 0 });
    await join;
    server.receive({ event: 'session:permission:request', data: permission('r1'), seq: 1 });
    server.receive({ event: 'session:question:resolved', data: { sessionId, requestId: 'q1', decision: 'declined', by: 'u', resolvedAt: 1 }, seq: 2 });
    expect(seen).toEqual(['Bash:r1', 'declined:q1']);
    socket.close();
  });
});
