import type { AgentEvent, PendingRequest } from '@agent-runtime/core';
import type { ScriptedTurn } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSocket } from '../test/frame-socket.js';
import { startSessionManagerServer, type SessionManagerServer } from '../test/session-manager-server.js';

/**
 * The approval routes and socket events over the real SessionManager: a scripted agent asks for
 * permission through `context.approvals` and reports what it was told.
 */
const script: ScriptedTurn = async function* (context): AsyncIterable<AgentEvent> {
  const answer = await context.approvals!.requestPermission({ toolName: 'Bash', toolUseId: `toolu_${context.turnId}`, input: { command: 'git push' } });
  const block = { id: `reply-${context.turnId}`, timestamp: new Date().toISOString(), type: 'assistant_text' as const, content: `${answer.decision} by ${answer.by}: ${answer.message ?? ''}` };
  yield { type: 'block:start', conversationId: 'main', block };
  yield { type: 'block:complete', conversationId: 'main', blockId: block.id, block };
};

let server: SessionManagerServer;
const tokens: Record<string, string> = { alice: 'token-alice', mallory: 'token-mallory' };

async function call(method: string, path: string, body?: unknown, who = 'alice') {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

async function pendingRequest(sessionId: string): Promise<PendingRequest> {
  const event = await server.waitForEvent((candidate) => candidate.event === 'session:permission:request' && candidate.sessionId === sessionId);
  return event.data as PendingRequest;
}

beforeAll(async () => {
  server = await startSessionManagerServer(
    script,
    {
      authenticate: async (request) => {
        const who = Object.entries(tokens).find(([, token]) => request.headers.authorization === `Bearer ${token}`);
        return who ? { principal: { id: who[0] } } : false;
      },
      authorizeSession: (principal, _sessionId, action) => (principal as { id: string }).id === 'alice' || action === 'read',
    },
    { profiles: [{ id: 'careful', name: 'Careful', toolPolicy: { ask: ['Bash'] } }] },
  );
});
afterAll(async () => {
  await server?.close();
});

describe('approval routes', () => {
  it('ask -> pending in GET and the conversation -> approve -> the agent is told; a second answer is idempotent', async () => {
    const created = await call('POST', '/sessions/create', { agentProfileRef: 'careful', architecture: 'claude-agent-sdk' });
    const sessionId = created.body!.sessionId as string;
    await call('POST', `/sessions/${sessionId}/message`, { content: 'push it' });
    const request = await pendingRequest(sessionId);
    expect(request).toMatchObject({ kind: 'permission', toolName: 'Bash', input: { command: 'git push' } });
    const session = await call('GET', `/sessions/${sessionId}`);
    expect(session.body!.pendingRequests).toEqual([request]);
    expect(session.body!.blocks.find((block: { type: string }) => block.type === 'approval')).toMatchObject({ status: 'pending', request });

    // Refused: a bad body, an unknown request, a principal not allowed to answer.
    expect((await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'maybe' })).body).toMatchObject({ error: { code: 'INVALID_INPUT' } });
    expect((await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'allow', extra: 1 })).status).toBe(400);
    expect(await call('POST', `/sessions/${sessionId}/permissions/nope`, { decision: 'allow' })).toMatchObject({ status: 404, body: { error: { code: 'REQUEST_NOT_FOUND' } } });
    expect(await call('POST', `/sessions/${sessionId}/questions/${request.requestId}`, { decline: true })).toMatchObject({ status: 404 });
    expect(await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'allow' }, 'mallory')).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });

    const answered = await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'allow', message: 'go ahead' });
    expect(answered).toMatchObject({ status: 200, body: { success: true, sessionId, requestId: request.requestId, alreadyResolved: false, resolution: { decision: 'allow', by: 'alice', message: 'go ahead' } } });
    const again = await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'deny' });
    expect(again).toMatchObject({ status: 200, body: { alreadyResolved: true, resolution: answered.body!.resolution } });
    await server.waitForEvent((event) => event.event === 'session:turn:end' && event.sessionId === sessionId);
    const after = await call('GET', `/sessions/${sessionId}`);
    expect(after.body!.pendingRequests).toBeUndefined();
    expect(after.body!.blocks.map((block: { type: string }) => block.type)).toEqual(['user_message', 'approval', 'assistant_text']);
    expect(after.body!.blocks.at(-1).content).toBe('allow by alice: go ahead');
    expect(server.events.filter((event) => event.event === 'session:permission:resolved' && event.sessionId === sessionId)).toHaveLength(1);
  });

  it('answers over the WebSocket with an ack; deny reaches the agent', async () => {
    const created = await call('POST', '/sessions/create', { agentProfileRef: 'careful', architecture: 'claude-agent-sdk' });
    const sessionId = created.body!.sessionId as string;
    await call('POST', `/sessions/${sessionId}/message`, { content: 'push it' });
    const request = await pendingRequest(sessionId);
    const socket = await FrameSocket.connect(server.websocketUrl, { headers: { authorization: `Bearer ${tokens.alice}` } });
    try {
      // A client joining after the request was made gets it (replayed from the event log).
      await socket.join(sessionId, 0);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(socket.events.find((frame) => frame.event === 'session:permission:request')?.data).toEqual(request);
      const bad = await socket.request('session:permission:respond', [sessionId, request.requestId, { decision: 'perhaps' }]);
      expect(bad).toMatchObject({ success: false, error: { code: 'INVALID_INPUT' } });
      const acked = await socket.request('session:permission:respond', [sessionId, request.requestId, { decision: 'deny', message: 'not today' }]);
      expect(acked).toMatchObject({ success: true, alreadyResolved: false, resolution: { decision: 'deny', by: 'alice', message: 'not today' } });
    } finally {
      socket.close();
    }
    await server.waitForEvent((event) => event.event === 'session:turn:end' && event.sessionId === sessionId);
    const after = await call('GET', `/sessions/${sessionId}`);
    expect(after.body!.blocks.at(-1).content).toBe('deny by alice: not today');
  });

  it('lists the routes in the OpenAPI document', async () => {
    const document = await call('GET', '/openapi.json');
    expect(Object.keys(document.body!.paths)).toEqual(expect.arrayContaining(['/sessions/{sessionId}/permissions/{requestId}', '/sessions/{sessionId}/questions/{requestId}']));
    expect(document.body!.components.schemas.AnswerPermissionRequest).toBeDefined();
  });
});
