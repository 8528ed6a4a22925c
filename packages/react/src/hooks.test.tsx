// @vitest-environment jsdom
import { createAgentRuntimeClient, type AgentRuntimeClient, type WebSocketConstructor } from '@agent-runtime/client';
import { startTestServer, type TestServer } from '@agent-runtime/transport-fastify/test';
import { act, cleanup, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AgentRuntimeProvider, useAgentProfiles, useSession, useSessions } from './index.js';
import { observeHook, untilDom } from './testing/observe-hook.js';

// Every wait below is on a render or a DOM change (observeHook / untilDom), never on
// testing-library's 1 s polling default: a loaded machine makes these slower, not red.

let server: TestServer;
let client: AgentRuntimeClient;

beforeAll(async () => {
  server = await startTestServer();
  client = createAgentRuntimeClient({
    baseUrl: server.baseUrl,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
  });
});
afterEach(() => cleanup());
afterAll(async () => {
  client.close();
  await server.close();
});

const wrapper = ({ children }: { children: ReactNode }) => <AgentRuntimeProvider client={client}>{children}</AgentRuntimeProvider>;

async function createSession(): Promise<string> {
  const { sessionId } = await client.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
  return sessionId;
}

describe('useSessions', () => {
  it('loads the list and follows sessions:list', async () => {
    const view = observeHook(() => useSessions(), { wrapper });
    const loaded = await view.until((value) => expect(value.loading).toBe(false));
    const before = loaded.sessions.length;
    const sessionId = await createSession();
    const after = await view.until((value) => expect(value.sessions.map((session) => session.sessionId)).toContain(sessionId));
    expect(after.sessions.length).toBe(before + 1);
  });
});

describe('useAgentProfiles', () => {
  it('lists the profiles', async () => {
    const view = observeHook(() => useAgentProfiles(), { wrapper });
    const loaded = await view.until((value) => expect(value.loading).toBe(false));
    expect(loaded.profiles.map((profile) => profile.id)).toEqual(['code-assistant', 'reviewer']);
    expect(loaded.error).toBeUndefined();
  });
});

describe('useSession', () => {
  it('streams a turn into blocks, with status, files, conversations and sendMessage', async () => {
    const sessionId = await createSession();
    const view = observeHook(() => useSession(sessionId), { wrapper });
    await view.until((value) => expect(value.loading).toBe(false));
    await view.until((value) => expect(value.status).toBe('active'));
    await act(async () => {
      await view.result.current.sendMessage('render me');
    });
    await view.until((value) => expect(value.blocks.at(-1)).toMatchObject({ type: 'assistant_text', content: 'You said: render me' }));
    const settled = await view.until((value) => expect(value.running).toBe(false));
    expect(settled.blocks[0]).toMatchObject({ type: 'user_message', content: 'render me' });
    act(() => {
      server.engine.writeFile(sessionId, { path: 'out.txt', content: 'done' });
      server.engine.emit({ event: 'session:subagent:discovered', data: { sessionId, subagent: { id: 'agent-7' } } });
      server.engine.streamDeltas(sessionId, 2, { conversationId: 'agent-7', blockId: 'sub', text: (index) => `s${index}` });
    });
    await view.until((value) => expect(value.files).toEqual([{ path: 'out.txt', content: 'done' }]));
    await view.until((value) => expect(value.conversations['agent-7']?.[0]).toMatchObject({ content: 's0s1' }));
    const snapshot = await client.getSession(sessionId);
    expect(view.result.current.blocks).toEqual(snapshot.blocks);
    const interrupted = await view.result.current.interrupt();
    expect(interrupted).toMatchObject({ success: true, interrupted: false });
  });

  it('survives a dropped connection: the blocks equal the server snapshot afterwards', async () => {
    const sessionId = await createSession();
    const view = observeHook(() => useSession(sessionId), { wrapper });
    await view.until((value) => expect(value.loading).toBe(false));
    act(() => {
      server.engine.streamDeltas(sessionId, 10, { blockId: 'live' });
    });
    await view.until((value) => expect((value.blocks.at(-1) as { content?: string } | undefined)?.content?.length).toBeGreaterThan(0));
    act(() => {
      for (const connection of server.app.agentRuntime.hub.connections) connection.socket.terminate();
      server.engine.streamDeltas(sessionId, 10, { blockId: 'live', text: (index) => `[${index}]` });
    });
    const snapshot = await client.getSession(sessionId);
    const caughtUp = await view.until((value) => expect(value.blocks).toEqual(snapshot.blocks));
    expect(caughtUp.session?.lastSeq).toBe(snapshot.lastEventSeq);
  });

  it('after a gap beyond the replay window: resyncs (reloads) and the blocks equal the snapshot', async () => {
    const small = await startTestServer({ engineOptions: { replayWindow: 5 } });
    const smallClient = createAgentRuntimeClient({ baseUrl: small.baseUrl, WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { initialDelayMs: 5, maxDelayMs: 20 } });
    try {
      const { sessionId } = await smallClient.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
      const smallWrapper = ({ children }: { children: ReactNode }) => <AgentRuntimeProvider client={smallClient}>{children}</AgentRuntimeProvider>;
      const view = observeHook(() => useSession(sessionId), { wrapper: smallWrapper });
      await view.until((value) => expect(value.loading).toBe(false));
      const socket = smallClient.socket();
      await socket.join(sessionId); // the hook's join (counted): resolves once the server acked it
      const resynced = new Promise<void>((resolve) => socket.on('session:resynced', () => resolve()));
      const closed = new Promise<void>((resolve) => socket.on('connection:close', () => resolve()));
      for (const connection of small.app.agentRuntime.hub.connections) connection.socket.terminate();
      await closed;
      small.engine.streamDeltas(sessionId, 40, { blockId: 'far', text: (index) => `<${index}>` }); // while away: more than the window
      await resynced;
      const snapshot = await smallClient.getSession(sessionId);
      const caughtUp = await view.until((value) => expect(value.session?.lastSeq).toBe(snapshot.lastEventSeq));
      expect(caughtUp.blocks).toEqual(snapshot.blocks);
      expect((caughtUp.blocks.at(-1) as { content: string }).content).toContain('<39>');
    } finally {
      smallClient.close();
      await small.close();
    }
  });

  it('warm(): one session:warm per message, over the socket; sendMessage rearms it', async () => {
    const sessionId = await createSession();
    const engine = server.engine as typeof server.engine & { warmSession?: (sessionId: string) => Promise<{ warming: boolean }> };
    const warmed: string[] = [];
    engine.warmSession = async (id) => {
      warmed.push(id);
      return { warming: true };
    };
    try {
      const view = observeHook(() => useSession(sessionId), { wrapper });
      await view.until((value) => expect(value.status).toBe('active'));
      await expect(view.result.current.warm()).resolves.toEqual({ sent: true, warming: true });
      await expect(view.result.current.warm()).resolves.toEqual({ sent: false, warming: false });
      expect(warmed).toEqual([sessionId]);
      await act(async () => {
        await view.result.current.sendMessage('warmed up');
      });
      await view.until((value) => expect(value.running).toBe(false));
      await expect(view.result.current.warm()).resolves.toEqual({ sent: true, warming: true });
      expect(warmed).toEqual([sessionId, sessionId]);
    } finally {
      delete engine.warmSession;
    }
  });

  it('reports errors (unknown session)', async () => {
    const view = observeHook(() => useSession('ghost'), { wrapper });
    const failed = await view.until((value) => expect(value.error).toMatchObject({ code: 'SESSION_NOT_FOUND' }));
    expect(failed.loading).toBe(false);
    expect(failed.session).toBeUndefined();
  });

  it('renders in a component', async () => {
    const sessionId = await createSession();
    function Transcript() {
      const { blocks, status } = useSession(sessionId);
      return (
        <div>
          <p data-testid="status">{status ?? 'loading'}</p>
          {blocks.map((block) => (
            <p key={block.id}>{block.type === 'assistant_text' ? block.content : block.type}</p>
          ))}
        </div>
      );
    }
    const { container } = render(<Transcript />, { wrapper });
    await untilDom(container, () => expect(screen.getByTestId('status').textContent).toBe('active'));
    await act(async () => {
      await client.sendMessage(sessionId, 'in the DOM');
    });
    await untilDom(container, () => expect(screen.getByText('You said: in the DOM')).toBeTruthy());
  });
});
