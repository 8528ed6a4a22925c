// @vitest-environment jsdom
// The hooks against the real engine: SessionManager (memory persistence, testkit's fake sandbox
// and scripted architecture) behind the real transport-fastify plugin. No fake engine.
import { createAgentRuntimeClient, type AgentRuntimeClient, type WebSocketConstructor } from '@agent-runtime/client';
import { act, cleanup } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AgentRuntimeProvider, useSession, useSessions } from './index.js';
import { observeHook } from './testing/observe-hook.js';
import { echoTurn, startRealEngineServer, type RealEngineServer } from './testing/real-engine-server.js';

let server: RealEngineServer | undefined;
let client: AgentRuntimeClient | undefined;

afterEach(async () => {
  cleanup();
  client?.close();
  client = undefined;
  await server?.close();
  server = undefined;
});

async function setup(script = echoTurn({ deltas: 3 })) {
  server = await startRealEngineServer(script);
  client = createAgentRuntimeClient({ baseUrl: server.baseUrl, WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });
  const bound = client;
  const wrapper = ({ children }: { children: ReactNode }) => <AgentRuntimeProvider client={bound}>{children}</AgentRuntimeProvider>;
  const { sessionId } = await bound.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
  return { server, client: bound, wrapper, sessionId };
}

describe('hooks against the real SessionManager', () => {
  it('useSession streams a real turn: running while it runs, then blocks, files and metadata equal GET /sessions/:id', async () => {
    let release: (() => void) | undefined;
    const gate = (_turn: number, chunk: number) => (chunk === 1 ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve());
    const { client, wrapper, sessionId } = await setup(echoTurn({ deltas: 3, gate }));
    const view = observeHook(() => useSession(sessionId), { wrapper });
    await view.until((value) => expect(value.loading).toBe(false));
    await act(async () => {
      await view.result.current.sendMessage('from react');
    });
    // Held by the script after its first chunk: the turn is visibly running.
    const midTurn = await view.until((value) => {
      expect(value.running).toBe(true);
      expect(value.blocks.at(-1)).toMatchObject({ type: 'assistant_text', content: 'echo: ' });
    });
    expect(midTurn.session?.turn?.turnId).toEqual(expect.any(String));
    release!();
    const done = await view.until((value) => {
      expect(value.running).toBe(false);
      expect(value.blocks.at(-1)).toMatchObject({ type: 'assistant_text', content: 'echo: from react.1' });
    });
    const snapshot = await client.getSession(sessionId);
    const settled = await view.until((value) => expect(value.session?.lastSeq).toBe(snapshot.lastEventSeq));
    expect(done.blocks).toEqual(snapshot.blocks);
    expect(settled.files).toEqual(snapshot.workspaceFiles);
    expect(settled.files.map((file) => file.path)).toContain('out.txt');
    expect(settled.status).toBe(snapshot.status);
    expect(settled.session?.metadata).toMatchObject({ model: 'scripted' });
    expect(settled.session?.lastTurn).toMatchObject({ outcome: 'completed' });
  });

  it('useSession after a dropped connection mid-turn: blocks equal the snapshot', async () => {
    const released: (() => void)[] = [];
    const gate = (_turn: number, chunk: number) => (chunk === 0 ? Promise.resolve() : new Promise<void>((resolve) => released.push(resolve)));
    const { server, client, wrapper, sessionId } = await setup(echoTurn({ deltas: 4, gate }));
    const view = observeHook(() => useSession(sessionId), { wrapper });
    await view.until((value) => expect(value.loading).toBe(false));
    await act(async () => {
      await view.result.current.sendMessage('hold on');
    });
    await view.until((value) => expect(value.blocks.at(-1)).toMatchObject({ content: 'echo: ' }));
    for (const connection of server.app.agentRuntime.hub.connections) connection.socket.terminate();
    while (released.length < 1) await new Promise((resolve) => setImmediate(resolve));
    for (let chunk = 1; chunk < 4; chunk++) {
      released.shift()!();
      while (chunk < 3 && released.length < 1) await new Promise((resolve) => setImmediate(resolve));
    }
    await view.until((value) => expect(value.blocks.at(-1)).toMatchObject({ content: 'echo: hold on.1.2' }));
    const ended = await view.until((value) => expect(value.running).toBe(false));
    const snapshot = await client.getSession(sessionId);
    const settled = await view.until((value) => expect(value.session?.lastSeq).toBe(snapshot.lastEventSeq));
    expect(settled.blocks).toEqual(snapshot.blocks);
    expect(ended.session?.lastTurn).toMatchObject({ outcome: 'completed' });
  });

  it('useSessions follows the real engine’s sessions:list', async () => {
    const { client, wrapper, sessionId } = await setup();
    const view = observeHook(() => useSessions(), { wrapper });
    await view.until((value) => expect(value.sessions.map((session) => session.sessionId)).toEqual([sessionId]));
    const second = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const listed = await view.until((value) => expect(value.sessions.map((session) => session.sessionId).sort()).toEqual([sessionId, second.sessionId].sort()));
    expect(listed.error).toBeUndefined();
  });
});
