import type { ConversationBlock } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import type { ScriptedTurn } from '@agent-runtime/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { applySessionEvent, createAgentRuntimeClient, createSessionState, mainBlocks, type AgentRuntimeClient, type SessionState, type WebSocketConstructor } from './index.js';
import { startRealEngineServer, type RealEngineServer } from './testing/real-engine-server.js';

// The client through the real SessionManager and transport-fastify: a profile with `ask: ['Bash']`,
// a scripted turn that asks before its tool call; the client sees the request, answers over the
// socket, a second answer over REST is idempotent, and the turn goes on with the decision.

let server: RealEngineServer | undefined;
let client: AgentRuntimeClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  server = client = undefined;
});

const askingTurn: ScriptedTurn = async function* (context) {
  const answer = await context.approvals!.requestPermission({ toolName: 'Bash', toolUseId: `tu-${context.turnId}`, input: { command: 'rm -rf build' } });
  const block: ConversationBlock = { id: `reply-${context.turnId}`, timestamp: '2026-01-01T00:00:00.000Z', type: 'assistant_text', content: `decision: ${answer.decision} by ${answer.by}` };
  yield { type: 'block:start', conversationId: 'main', block };
  yield { type: 'block:complete', conversationId: 'main', blockId: block.id, block };
};

describe('approvals through the real engine', () => {
  it('request -> pendingRequests -> socket answer -> resolved; a second REST answer is idempotent', async () => {
    const persistence = createMemoryPersistence({ profiles: [{ id: 'helper', name: 'Helper', toolPolicy: { ask: ['Bash'] } }] });
    server = await startRealEngineServer(askingTurn, { persistence });
    client = createAgentRuntimeClient({ baseUrl: server.baseUrl, WebSocket: WebSocket as unknown as WebSocketConstructor });
    const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    let state: SessionState = createSessionState(await client.getSession(sessionId));
    const changed: (() => void)[] = [];
    const socket = client.socket();
    socket.onAny((event) => {
      state = applySessionEvent(state, event);
      for (const waiter of changed.splice(0)) waiter();
    });
    const until = async (check: (current: SessionState) => boolean) => {
      while (!check(state)) await new Promise<void>((resolve) => changed.push(resolve));
    };
    await socket.join(sessionId, { since: state.lastSeq });
    await client.sendMessage(sessionId, 'clean up');

    await until((current) => current.pendingRequests.length === 1);
    const request = state.pendingRequests[0]!;
    expect(request).toMatchObject({ kind: 'permission', toolName: 'Bash', input: { command: 'rm -rf build' } });
    expect(mainBlocks(state).find((block) => block.id === `approval:${request.requestId}`)).toMatchObject({ type: 'approval', status: 'pending' });
    expect((await client.getSession(sessionId)).pendingRequests?.map((pending) => pending.requestId)).toEqual([request.requestId]);

    const answered = await socket.answerPermission(sessionId, request.requestId, { decision: 'allow' });
    expect(answered).toMatchObject({ success: true, requestId: request.requestId, alreadyResolved: false, resolution: { decision: 'allow' } });
    const again = await client.answerPermission(sessionId, request.requestId, { decision: 'deny' });
    expect(again).toMatchObject({ alreadyResolved: true, resolution: { decision: 'allow' } });

    await until((current) => mainBlocks(current).some((block) => block.type === 'assistant_text' && block.content.startsWith('decision: allow')));
    expect(state.pendingRequests).toEqual([]);
    expect(mainBlocks(state).find((block) => block.id === `approval:${request.requestId}`)).toMatchObject({ status: 'resolved', resolution: { decision: 'allow' } });
    await expect(client.answerPermission(sessionId, 'no-such-request', { decision: 'allow' })).rejects.toMatchObject({ code: 'REQUEST_NOT_FOUND', status: 404 });
  });
});
