// @vitest-environment jsdom
import { createAgentRuntimeClient, type AgentRuntimeClient, type WebSocketConstructor } from '@agent-runtime/client';
import { startTestServer, type TestServer } from '@agent-runtime/transport-fastify/test';
import { act, cleanup, render, renderHook, screen, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AgentRuntimeProvider, useAgentProfiles, useSession, useSessions } from './index.js';

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
    const { result } = renderHook(() => useSessions(), { wrapper });
    await waitFor(() => expect(result.current.loading).toBe(false));
    const before = result.current.sessions.length;
    const sessionId = await createSession();
    await waitFor(() => expect(result.current.sessions.map((session) => session.sessionId)).toContain(sessionId));
    expect(result.current.sessions.length).toBe(before + 1);
  });
});

describe('useAgentProfiles', () => {
  it('lists the profiles', async () => {
    const { result } = renderHook(() => useAgentProfiles(), { wrapper });
    await waitFor(() => expect(result.current.profiles.map((profile) => profile.id)).toEqual(['code-assistant', 'reviewer']));
  });
});

describe('useSession', () => {
  it('streams a turn into blocks, with status, files, conversations and sendMessage', async () => {
    const sessionId = await createSession();
    const { result } = renderHook(() => useSession(sessionId), { wrapper });
    await waitFor(() => expect(result.current.loading).toBe(false));
    await waitFor(() => expect(result.current.status).toBe('active'));
    await act(async () => {
      await result.current.sendMessage('render me');
    });
    await waitFor(() => expect(result.current.blocks.at(-1)).toMatchObject({ type: 'assistant_text', content: 'You said: render me' }));
    await waitFor(() => expect(result.current.running).toBe(false));
    expect(result.current.blocks[0]).toMatchObject({ type: 'user_message', content: 'render me' });
    act(() => {
      server.engine.writeFile(sessionId, { path: 'out.txt', content: 'done' });
      server.engine.emit({ event: 'session:subagent:discovered', data: { sessionId, subagent: { id: 'agent-7' } } });
      server.engine.streamDeltas(sessionId, 2, { conversationId: 'agent-7', blockId: 'sub', text: (index) => `s${index}` });
    });
    await waitFor(() => expect(result.current.files).toEqual([{ path: 'out.txt', content: 'done' }]));
    await waitFor(() => expect(result.current.conversations['agent-7']?.[0]).toMatchObject({ content: 's0s1' }));
    const snapshot = await client.getSession(sessionId);
    expect(result.current.blocks).toEqual(snapshot.blocks);
    const interrupted = await result.current.interrupt();
    expect(interrupted).toMatchObject({ success: true, interrupted: false });
  });

  it('survives a dropped connection: the blocks equal the server snapshot afterwards', async () => {
    const sessionId = await createSession();
    const { result } = renderHook(() => useSession(sessionId), { wrapper });
    await waitFor(() => expect(result.current.loading).toBe(false));
    act(() => {
      server.engine.streamDeltas(sessionId, 10, { blockId: 'live' });
    });
    await waitFor(() => expect((result.current.blocks.at(-1) as { content?: string } | undefined)?.content?.length).toBeGreaterThan(0));
    act(() => {
      for (const connection of server.app.agentRuntime.hub.connections) connection.socket.terminate();
      server.engine.streamDeltas(sessionId, 10, { blockId: 'live', text: (index) => `[${index}]` });
    });
    const snapshot = await client.getSession(sessionId);
    await waitFor(() => expect(result.current.blocks).toEqual(snapshot.blocks));
    expect(result.current.session?.lastSeq).toBe(snapshot.lastEventSeq);
  });

  it('reports errors (unknown session)', async () => {
    const { result } = renderHook(() => useSession('ghost'), { wrapper });
    await waitFor(() => expect(result.current.error).toMatchObject({ code: 'SESSION_NOT_FOUND' }));
    expect(result.current.loading).toBe(false);
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
    render(<Transcript />, { wrapper });
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('active'));
    await act(async () => {
      await client.sendMessage(sessionId, 'in the DOM');
    });
    await waitFor(() => expect(screen.getByText('You said: in the DOM')).toBeTruthy());
  });
});
