import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { applySessionEvent, createAgentRuntimeClient, createSessionState } from '@agent-runtime/client';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import type { AgentArchitectureType } from '../src/index.js';
import { slowTurnScenario } from './restart-scenario.js';
import { freePort, restartableRuntime } from './runtime-process.js';
import { postMessage, watchSession, type SessionWatcher } from './session-watcher.js';

/**
 * Durable sessions on one node, end to end: a real runtime process (SQLite, the real Claude Code
 * and Gemini CLIs against the scripted model server) restarted under a connected published client
 * — once with SIGTERM, once with SIGKILL. The client sees every event of every turn, in order, no
 * gap and no duplicate across the restarts (seq comes from the durable event log), and folding them
 * gives what GET /sessions/:id returns. Then a crash with one turn running and two queued.
 */
describe('durable sessions across runtime restarts', () => {
  let server: ModelServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'durable-restart-'));
  const database = join(dataDir, 'runtime.db');
  let port: number;
  const runtime = restartableRuntime(() => ({ database, dataDir, modelServerUrl: server.url, port }));

  beforeAll(async () => {
    server = await startModelServer(slowTurnScenario);
    const seed = createSqlitePersistence({ filename: database });
    await seed.seedProfiles([{ id: 'helper', name: 'Helper' }]);
    await seed.close();
    port = await freePort();
    await runtime.start();
  });

  afterAll(async () => {
    await runtime.stop();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function restart(signal: 'SIGTERM' | 'SIGKILL', watcher: SessionWatcher) {
    const statusesBefore = watcher.count('session:status');
    await runtime.kill(signal);
    await runtime.start();
    // The client reconnects on its own, re-joins with `since`; the current status follows the join.
    await watcher.until(() => watcher.count('session:status') > statusesBefore);
  }

  const agents: [AgentArchitectureType][] = [['claude-agent-sdk'], ['gemini-cli']];

  it.each(agents)('%s: turn, SIGTERM restart, turn, SIGKILL restart, turn — every event once, in order; folded state equals GET', async (architecture) => {
    const client = createAgentRuntimeClient({ baseUrl: runtime.url, WebSocket: WebSocket as never });
    const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture });
    const watcher = watchSession(client, sessionId);
    await watcher.socket.join(sessionId, { since: 0 });

    for (const [index, signal] of [[1, 'SIGTERM'], [2, 'SIGKILL'], [3, undefined]] as const) {
      await client.sendMessage(sessionId, `This is turn ${index}.`);
      await watcher.until(() => watcher.count('session:turn:end') === index);
      if (signal) await restart(signal, watcher);
    }

    const numbered = watcher.frames.filter((frame) => frame.seq !== undefined);
    const seqs = numbered.map((frame) => frame.seq!);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const ends = numbered.filter((frame) => frame.event === 'session:turn:end').map((frame) => frame.data as { outcome: string; error?: unknown });
    expect(ends.map((end) => [end.outcome, end.error])).toEqual([
      ['completed', undefined],
      ['completed', undefined],
      ['completed', undefined],
    ]);

    const session = await client.getSession(sessionId);
    expect(session.lastEventSeq).toBe(seqs.at(-1));
    let state = createSessionState({ ...session, blocks: [], subagents: [], workspaceFiles: [], lastEventSeq: 0 });
    for (const frame of numbered) state = applySessionEvent(state, frame);
    expect(state.conversations.main).toEqual(session.blocks);
    expect(session.blocks.filter((block) => block.type === 'user_message')).toHaveLength(3);
    client.close();
  }, 240_000);

  it('claude-agent-sdk: SIGKILL with one turn running and two queued — one RUNTIME_RESTARTED end, each queued message runs once, a retry is acknowledged without running', async () => {
    const client = createAgentRuntimeClient({ baseUrl: runtime.url, WebSocket: WebSocket as never });
    const { sessionId } = await client.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const watcher = watchSession(client, sessionId);
    await watcher.socket.join(sessionId, { since: 0 });
    const send = (content: string, clientMessageId: string) => postMessage(runtime.url, sessionId, content, clientMessageId);

    expect((await send('Please take your time.', 'm1')).status).toBe(200);
    expect((await send('This is turn 2.', 'm2')).body).toMatchObject({ queued: true });
    expect((await send('This is turn 3.', 'm3')).body).toMatchObject({ queued: true });
    await watcher.until(() => watcher.count('session:block:delta') >= 3);
    await restart('SIGKILL', watcher);
    await watcher.until(() => watcher.count('session:turn:end') === 3);

    const numbered = watcher.frames.filter((frame) => frame.seq !== undefined);
    const seqs = numbered.map((frame) => frame.seq!);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const starts = numbered.filter((frame) => frame.event === 'session:turn:start').map((frame) => (frame.data as { clientMessageId?: string }).clientMessageId);
    expect(starts).toEqual(['m1', 'm2', 'm3']);
    const ends = numbered.filter((frame) => frame.event === 'session:turn:end').map((frame) => frame.data as { outcome: string; error?: { code: string } });
    expect(ends.map((end) => [end.outcome, end.error?.code])).toEqual([
      ['error', 'RUNTIME_RESTARTED'],
      ['completed', undefined],
      ['completed', undefined],
    ]);

    // Retries of earlier messages are acknowledged and do not run: the next new message is the only turn that follows.
    expect(await send('Please take your time.', 'm1')).toMatchObject({ status: 200, body: { queued: false } });
    expect(await send('This is turn 2.', 'm2')).toMatchObject({ status: 200 });
    expect((await send('This is turn 4.', 'm4')).status).toBe(200);
    await watcher.until(() => watcher.count('session:turn:end') === 4);
    const later = watcher.frames.filter((frame) => frame.event === 'session:turn:start').map((frame) => (frame.data as { clientMessageId?: string }).clientMessageId);
    expect(later).toEqual(['m1', 'm2', 'm3', 'm4']);
    client.close();
  }, 240_000);
});
