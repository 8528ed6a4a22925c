// @vitest-environment jsdom
import { createAgentRuntimeClient, type AgentRuntimeClient, type FetchLike, type WebSocketConstructor } from '@agent-runtime/client';
import type { PermissionRequest, QuestionRequest } from '@agent-runtime/core';
import { startTestServer, type TestServer } from '@agent-runtime/transport-fastify/test';
import { act, cleanup } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AgentRuntimeProvider, useSession } from './index.js';
import { observeHook } from './testing/observe-hook.js';

// The fake engine has no answer routes: the answers are caught on their way out (what was sent is
// the test), and the engine then publishes the resolutions the real one would.
let server: TestServer;
let client: AgentRuntimeClient;
const answers: { url: string; body: unknown }[] = [];

beforeAll(async () => {
  server = await startTestServer();
  const realFetch = globalThis.fetch.bind(globalThis) as FetchLike;
  const fetch: FetchLike = async (url, init) => {
    const match = /\/sessions\/([^/]+)\/(permissions|questions)\/([^/]+)$/.exec(url);
    if (!match) return realFetch(url, init);
    const body = JSON.parse(String(init?.body)) as Record<string, unknown>;
    answers.push({ url: url.replace(server.baseUrl, ''), body });
    const resolution = match[2] === 'permissions' ? { decision: body.decision, by: 'tester', resolvedAt: 1 } : { decision: 'answered', by: 'tester', answers: body.answers, resolvedAt: 1 };
    return new Response(JSON.stringify({ success: true, sessionId: match[1], requestId: match[3], resolution, alreadyResolved: false }), { status: 200 });
  };
  client = createAgentRuntimeClient({ baseUrl: server.baseUrl, fetch, WebSocket: WebSocket as unknown as WebSocketConstructor });
});
afterEach(() => cleanup());
afterAll(async () => {
  client.close();
  await server.close();
});

const wrapper = ({ children }: { children: ReactNode }) => <AgentRuntimeProvider client={client}>{children}</AgentRuntimeProvider>;

function permission(sessionId: string, requestId: string): PermissionRequest {
  return { kind: 'permission', sessionId, conversationId: 'main', requestId, toolName: 'Bash', toolUseId: `toolu_${requestId}`, input: { command: 'rm -rf build' }, createdAt: 1, expiresAt: 2 };
}

function question(sessionId: string, requestId: string): QuestionRequest {
  const questions = [{ question: 'Which branch?', options: [{ label: 'main' }, { label: 'dev' }] }];
  return { kind: 'question', sessionId, conversationId: 'main', requestId, toolUseId: `toolu_${requestId}`, questions, createdAt: 3, expiresAt: 4 };
}

describe('useSession: pending requests', () => {
  it('lists requests as they arrive, answers them over REST, and drops them when resolved', async () => {
    const { sessionId } = await client.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const view = observeHook(() => useSession(sessionId), { wrapper });
    await view.until((value) => expect(value.loading).toBe(false));
    act(() => {
      server.engine.emit({ event: 'session:permission:request', data: permission(sessionId, 'p1') });
      server.engine.emit({ event: 'session:permission:request', data: permission(sessionId, 'p2') });
      server.engine.emit({ event: 'session:question:request', data: question(sessionId, 'q1') });
    });
    const listed = await view.until((value) => expect(value.pendingRequests.map((request) => request.requestId)).toEqual(['p1', 'p2', 'q1']));
    expect(listed.blocks.filter((block) => block.type === 'approval').map((block) => block.id)).toEqual(['approval:p1', 'approval:p2', 'approval:q1']);

    await act(async () => {
      await view.result.current.approve('p1', { remember: true });
      await view.result.current.deny('p2', 'too risky');
      await view.result.current.answerQuestion('q1', { 'Which branch?': 'dev' });
    });
    expect(answers).toEqual([
      { url: `/sessions/${sessionId}/permissions/p1`, body: { decision: 'allow', remember: true } },
      { url: `/sessions/${sessionId}/permissions/p2`, body: { decision: 'deny', message: 'too risky' } },
      { url: `/sessions/${sessionId}/questions/q1`, body: { answers: { 'Which branch?': 'dev' } } },
    ]);

    act(() => {
      server.engine.emit({ event: 'session:permission:resolved', data: { sessionId, requestId: 'p1', decision: 'allow', by: 'tester', resolvedAt: 5 } });
      server.engine.emit({ event: 'session:question:resolved', data: { sessionId, requestId: 'q1', decision: 'answered', by: 'tester', answers: { 'Which branch?': 'dev' }, resolvedAt: 6 } });
    });
    const after = await view.until((value) => expect(value.pendingRequests.map((request) => request.requestId)).toEqual(['p2']));
    expect(after.blocks.find((block) => block.id === 'approval:p1')).toMatchObject({ status: 'resolved', resolution: { decision: 'allow' } });

    await act(async () => {
      await view.result.current.declineQuestion('q9', 'no');
    });
    expect(answers.at(-1)).toEqual({ url: `/sessions/${sessionId}/questions/q9`, body: { decline: true, message: 'no' } });
  });

  it('without a session the answers reject', async () => {
    const view = observeHook(() => useSession(undefined), { wrapper });
    const value = await view.until((current) => expect(current.loading).toBe(false));
    expect(value.pendingRequests).toEqual([]);
    await expect(value.approve('x')).rejects.toThrow('no sessionId');
  });
});
