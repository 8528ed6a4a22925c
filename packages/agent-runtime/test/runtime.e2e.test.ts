import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { applySessionEvent, createAgentRuntimeClient, createSessionState, type SessionEventFrame } from '@agent-runtime/client';
import { startModelServer, type ModelServer, type Scenario } from '@agent-runtime/testkit';
import type { AgentArchitectureType, AgentRuntime } from '../src/index.js';
import { offlineRuntime } from './offline-runtime.js';

/**
 * The whole runtime over real HTTP and a real WebSocket, with the real Claude Code and Gemini
 * CLI in the local sandbox: create -> join -> message -> streamed blocks -> reconnect mid-stream
 * (no gap, no duplicate) -> delete; then a restart over the same database and data dir.
 */
function scenario(): Scenario {
  return {
    turns: [
      {
        id: 'write',
        match: { lastUserText: /write the report/i },
        reply: {
          text: ['Writing ', 'the ', 'report ', 'now, ', 'slowly.'],
          chunkDelayMs: 150,
          toolCalls: [{ name: 'Write', input: { file_path: '{{cwd}}/report.md', content: '# Report\n' } }],
        },
        times: 'always',
      },
      {
        id: 'write-gemini',
        match: { lastUserText: /gemini report/i },
        reply: { text: ['Writing ', 'the ', 'report ', 'now, ', 'slowly.'], chunkDelayMs: 150, toolCalls: [{ name: 'write_file', input: { file_path: 'report.md', content: '# Report\n' } }] },
        times: 'always',
      },
      { id: 'done', match: { lastToolResult: true }, reply: { text: 'The report is written.' }, times: 'always' },
      { id: 'recall', match: { lastUserText: /what did you write/i }, reply: { text: 'report.md' }, times: 'always' },
    ],
    fallback: { text: 'ok' },
  };
}

describe('AgentRuntime over HTTP and WebSocket with real agents', () => {
  let server: ModelServer;
  let dataDir: string;
  let runtime: AgentRuntime;

  const makeRuntime = () => offlineRuntime({ database: join(dataDir, 'runtime.db'), dataDir, modelServerUrl: server.url });

  beforeAll(async () => {
    server = await startModelServer(scenario());
    dataDir = mkdtempSync(join(tmpdir(), 'runtime-e2e-'));
    const made = makeRuntime();
    await made.persistence.seedProfiles([{ id: 'writer', name: 'Writer', systemPrompt: 'Write reports.' }]);
    runtime = made.runtime;
    await runtime.start();
  });

  afterAll(async () => {
    await runtime?.stop();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const agents: [AgentArchitectureType, string][] = [
    ['claude-agent-sdk', 'Please write the report.'],
    ['gemini-cli', 'Please write the gemini report.'],
  ];

  it.each(agents)('%s: create, join, stream, reconnect mid-stream without gap or duplicate, delete', async (architecture, prompt) => {
    const client = createAgentRuntimeClient({ baseUrl: runtime.url!, WebSocket: WebSocket as never });
    const created = await client.createSession({ agentProfileRef: 'writer', architecture });
    expect(created).toMatchObject({ status: expect.any(String), createdAt: expect.any(Number) });
    const { sessionId } = created;

    const socket = client.socket();
    const frames: SessionEventFrame[] = [];
    let reconnected = false;
    const turnEnded = new Promise<void>((resolve) => {
      socket.onAny((frame) => {
        if ((frame.data as { sessionId?: string }).sessionId !== sessionId) return;
        // The current `session:status` sent after each join carries no seq (it repeats, it is not new).
        if (frame.seq === undefined) return;
        frames.push(frame);
        // Drop the connection in the middle of the streamed answer.
        if (!reconnected && frame.event === 'session:block:delta') {
          reconnected = true;
          socket.reconnectNow();
        }
        if (frame.event === 'session:turn:end') resolve();
      });
    });
    const ack = await socket.join(sessionId);
    expect(ack.success).toBe(true);

    expect(await client.sendMessage(sessionId, prompt)).toMatchObject({ success: true, sessionId });
    await turnEnded;
    expect(reconnected).toBe(true);

    // Every sequence number exactly once, in order, across the reconnect.
    const seqs = frames.map((frame) => frame.seq!);
    const first = seqs[0]!;
    expect(seqs).toEqual(seqs.map((_, index) => first + index));
    expect(frames.at(-1)).toMatchObject({ event: 'session:turn:end', data: { outcome: 'completed' } });

    // Folding what the socket delivered gives what GET /sessions/:id returns.
    const session = await client.getSession(sessionId);
    let state = createSessionState({ ...session, blocks: [], subagents: [], workspaceFiles: [], lastEventSeq: first - 1 });
    for (const frame of frames) state = applySessionEvent(state, frame);
    expect(state.conversations.main).toEqual(session.blocks);
    expect(session.workspaceFiles.map((file) => file.path)).toContain('report.md');
    expect((await client.readFile(sessionId, 'report.md')).content).toBe('# Report\n');
    expect(session.blocks.some((block) => block.type === 'tool_use' && block.status === 'success')).toBe(true);

    expect((await client.listSessions()).map((item) => item.sessionId)).toContain(sessionId);
    expect(await client.terminateSession(sessionId)).toEqual({ success: true, sessionId });
    expect((await client.getSession(sessionId)).status).toBe('completed');
    client.close();
  });

  it('a restarted runtime over the same database lists and resumes a session', async () => {
    const client = createAgentRuntimeClient({ baseUrl: runtime.url!, WebSocket: WebSocket as never });
    const { sessionId } = await client.createSession({ agentProfileRef: 'writer', architecture: 'claude-agent-sdk' });
    await client.sendMessage(sessionId, 'Please write the report.');
    const socket = client.socket();
    await new Promise<void>((resolve) => {
      socket.on('session:turn:end', (data) => data.sessionId === sessionId && resolve());
      void socket.join(sessionId);
    });
    const before = await client.getSession(sessionId);
    client.close();
    await runtime.stop();

    runtime = makeRuntime().runtime;
    await runtime.start();
    const again = createAgentRuntimeClient({ baseUrl: runtime.url!, WebSocket: WebSocket as never });
    const listed = (await again.listSessions()).find((item) => item.sessionId === sessionId);
    expect(listed?.status).toBe('inactive');
    const reloaded = await again.getSession(sessionId);
    expect(reloaded.blocks).toEqual(before.blocks);

    const socket2 = again.socket();
    const ended = new Promise<{ outcome: string }>((resolve) => {
      socket2.on('session:turn:end', (data) => data.sessionId === sessionId && resolve(data));
    });
    await socket2.join(sessionId);
    await again.sendMessage(sessionId, 'What did you write?');
    expect(await ended).toMatchObject({ outcome: 'completed' });
    const recall = server.requests.filter((request) => request.turnId === 'recall').at(-1)!;
    expect(JSON.stringify(recall.body)).toContain('Please write the report.');
    again.close();
  });
});
