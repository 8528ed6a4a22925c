import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PendingRequest } from '@agent-runtime/core';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, restartableRuntime } from './runtime-process.js';

/**
 * A pending approval survives a runtime crash: a real runtime process (SQLite, the real Claude
 * Code CLI) is SIGKILLed while Claude waits for a person's answer; after the restart the request
 * is presented again (same id, in GET /sessions/:id), and approving it runs a continuation turn
 * in which the tool runs — exactly once.
 */
const COMMAND = 'echo ran >> restarted.txt && cat restarted.txt';
const GEMINI_WRITE = { name: 'write_file', input: { file_path: 'gemini-restarted.txt', content: 'ran\n' } };

describe('approvals across a runtime restart (SIGKILL)', () => {
  let server: ModelServer;
  const dataDir = mkdtempSync(join(tmpdir(), 'approvals-restart-'));
  const database = join(dataDir, 'runtime.db');
  let port: number;
  const runtime = restartableRuntime(() => ({ database, dataDir, modelServerUrl: server.url, port }));
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  };
  const poll = async <T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 120_000): Promise<T> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const pendingOf = (sessionId: string) => poll(async () => ((await call('GET', `/sessions/${sessionId}`)).body?.pendingRequests as PendingRequest[] | undefined)?.[0], 'a pending request');

  beforeAll(async () => {
    server = await startModelServer({
      turns: [
        // Gemini (matched first by api): the same story with write_file.
        { id: 'gemini-ask', match: { api: 'gemini', lastUserText: /restart scenario/i }, reply: { toolCalls: [GEMINI_WRITE] }, times: 'always' },
        { id: 'gemini-again', match: { api: 'gemini', lastUserText: /It is now approved: make the same call again/ }, reply: { toolCalls: [GEMINI_WRITE] }, times: 'always' },
        { id: 'gemini-timeout', match: { api: 'gemini', lastUserText: /timeout scenario/i }, reply: { toolCalls: [{ name: 'write_file', input: { file_path: 'gemini-timeout.txt', content: 'no\n' } }] }, times: 'always' },
        { id: 'gemini-done', match: { api: 'gemini', lastToolResult: true }, reply: { text: 'Done.' }, times: 'always' },
        { id: 'ask', match: { lastUserText: /restart scenario/i }, reply: { toolCalls: [{ name: 'Bash', input: { command: COMMAND, description: 'record a run' } }] }, times: 'always' },
        { id: 'again', match: { lastUserText: /It is now approved: make the same call again/ }, reply: { toolCalls: [{ name: 'Bash', input: { command: COMMAND, description: 'record a run' } }] }, times: 'always' },
        { id: 'done', match: { lastToolResult: true }, reply: { text: 'Done.' }, times: 'always' },
      ],
      fallback: { text: 'ok' },
    });
    const seed = createSqlitePersistence({ filename: database });
    await seed.seedProfiles([
      { id: 'careful', name: 'Careful', toolPolicy: { ask: ['Bash'] } },
      { id: 'careful-gemini', name: 'Careful (Gemini)', toolPolicy: { ask: ['write_file'] } },
      { id: 'hasty-gemini', name: 'Hasty (Gemini)', toolPolicy: { ask: ['write_file'], requestTimeoutMs: 1500 } },
    ]);
    await seed.close();
    port = await freePort();
    await runtime.start();
  }, 120_000);

  afterAll(async () => {
    await runtime.stop();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ask -> SIGKILL -> restart -> presented again -> approve -> the tool runs exactly once', async () => {
    const created = await call('POST', '/sessions/create', { agentProfileRef: 'careful', architecture: 'claude-agent-sdk' });
    const sessionId = created.body!.sessionId as string;
    await call('POST', `/sessions/${sessionId}/message`, { content: 'restart scenario' });
    const before = await pendingOf(sessionId);
    expect(before).toMatchObject({ kind: 'permission', toolName: 'Bash', input: { command: COMMAND } });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let the transcript sync (250 ms debounce)
    await runtime.kill('SIGKILL');

    await runtime.start();
    const after = await pendingOf(sessionId);
    expect(after).toEqual(before);
    const answered = await call('POST', `/sessions/${sessionId}/permissions/${before.requestId}`, { decision: 'allow' });
    expect(answered.body).toMatchObject({ alreadyResolved: false, resolution: { decision: 'allow' } });
    expect((await call('POST', `/sessions/${sessionId}/permissions/${before.requestId}`, { decision: 'allow' })).body).toMatchObject({ alreadyResolved: true });

    const text = await poll(async () => {
      const file = await call('GET', `/sessions/${sessionId}/files/restarted.txt`);
      return file.status === 200 ? (file.body!.content as string) : undefined;
    }, 'the tool to run');
    // Let the continuation turn finish and anything that could run it again happen.
    await poll(async () => {
      const session = await call('GET', `/sessions/${sessionId}`);
      const blocks = session.body!.blocks as { type: string; content?: unknown }[];
      return blocks.at(-1)?.type === 'assistant_text' && blocks.at(-1)?.content === 'Done.' ? true : undefined;
    }, 'the continuation turn to end');
    expect(text).toBe('ran\n');
    const final = await call('GET', `/sessions/${sessionId}/files/restarted.txt`);
    expect(final.body!.content).toBe('ran\n');
    expect((await call('GET', `/sessions/${sessionId}`)).body!.pendingRequests).toBeUndefined();
  }, 300_000);
  it('Gemini: ask -> SIGKILL -> restart -> presented again -> approve -> the tool runs exactly once', async () => {
    const created = await call('POST', '/sessions/create', { agentProfileRef: 'careful-gemini', architecture: 'gemini-cli' });
    const sessionId = created.body!.sessionId as string;
    await call('POST', `/sessions/${sessionId}/message`, { content: 'restart scenario' });
    const before = await pendingOf(sessionId);
    expect(before).toMatchObject({ kind: 'permission', toolName: 'write_file' });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let the transcript sync
    await runtime.kill('SIGKILL');

    await runtime.start();
    const after = await pendingOf(sessionId);
    expect(after).toEqual(before);
    expect((await call('POST', `/sessions/${sessionId}/permissions/${before.requestId}`, { decision: 'allow' })).body).toMatchObject({ alreadyResolved: false });
    await poll(async () => {
      const session = await call('GET', `/sessions/${sessionId}`);
      const blocks = session.body!.blocks as { type: string; content?: unknown }[];
      return blocks.at(-1)?.type === 'assistant_text' && blocks.at(-1)?.content === 'Done.' ? true : undefined;
    }, 'the continuation turn to end');
    const file = await call('GET', `/sessions/${sessionId}/files/gemini-restarted.txt`);
    expect(file.body!.content).toBe('ran\n');
    const writes = server.generationRequests('gemini').map((request) => JSON.stringify(request.body).match(/Successfully created and wrote/g)?.length ?? 0);
    expect(writes.at(-1), 'the tool ran once').toBe(1);
    expect((await call('GET', `/sessions/${sessionId}`)).body!.pendingRequests).toBeUndefined();
  }, 300_000);
  it('Gemini: ask -> nobody answers -> denied by timeout; the turn completes and the tool never runs', async () => {
    const created = await call('POST', '/sessions/create', { agentProfileRef: 'hasty-gemini', architecture: 'gemini-cli' });
    const sessionId = created.body!.sessionId as string;
    await call('POST', `/sessions/${sessionId}/message`, { content: 'timeout scenario' });
    const blocks = await poll(async () => {
      const session = await call('GET', `/sessions/${sessionId}`);
      const found = session.body!.blocks as { type: string; content?: unknown; resolution?: { decision: string; by: string } }[];
      return found.at(-1)?.type === 'assistant_text' && found.at(-1)?.content === 'Done.' ? found : undefined;
    }, 'the turn to end after the timeout');
    expect(blocks.find((block) => block.type === 'approval')?.resolution).toMatchObject({ decision: 'deny', by: 'timeout' });
    expect((await call('GET', `/sessions/${sessionId}/files/gemini-timeout.txt`)).status).toBe(404);
  }, 300_000);
});
