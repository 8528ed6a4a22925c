import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BusEvent, PendingRequest } from '@agent-runtime/core';
import { startModelServer, type ModelServer, type Scenario } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentRuntime } from '../src/index.js';
import { offlineRuntime } from './offline-runtime.js';

/**
 * Issue 17 with the real Claude Code CLI (bubblewrap sandbox, scripted model): a profile whose
 * policy asks for Bash; the scripted model makes the call; a person answers over REST.
 */
const bash = (file: string) => ({ name: 'Bash', input: { command: `echo ran >> ${file} && cat ${file}`, description: 'record a run' } });

function scenario(): Scenario {
  return {
    turns: [
      { id: 'approve', match: { lastUserText: /approve scenario/i }, reply: { toolCalls: [bash('approved.txt')] }, times: 'always' },
      { id: 'deny', match: { lastUserText: /deny scenario/i }, reply: { toolCalls: [bash('denied.txt')] }, times: 'always' },
      { id: 'timeout', match: { lastUserText: /timeout scenario/i }, reply: { toolCalls: [bash('timeout.txt')] }, times: 'always' },
      {
        id: 'question',
        match: { lastUserText: /question scenario/i },
        reply: {
          toolCalls: [
            {
              name: 'AskUserQuestion',
              input: { questions: [{ question: 'Which colour?', header: 'Colour', options: [{ label: 'Red', description: 'warm' }, { label: 'Blue', description: 'cold' }], multiSelect: false }] },
            },
          ],
        },
        times: 'always',
      },
      { id: 'done', match: { lastToolResult: true }, reply: { text: 'Done.' }, times: 'always' },
    ],
    fallback: { text: 'ok' },
  };
}

const TOKENS: Record<string, string> = { alice: 'token-alice', mallory: 'token-mallory' };

describe.each(['warm', 'per-turn'] as const)('approvals with the real Claude Code CLI (%s process)', (claudeProcessMode) => {
  let server: ModelServer;
  let dataDir: string;
  let runtime: AgentRuntime;
  const events: BusEvent[] = [];
  const waiters: (() => void)[] = [];

  function waitFor(predicate: (event: BusEvent) => boolean, timeoutMs = 120_000): Promise<BusEvent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), timeoutMs);
      const check = () => {
        const found = events.find(predicate);
        if (!found) return false;
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      if (!check()) waiters.push(function retry() {
        if (!check()) waiters.push(retry);
      });
    });
  }

  async function call(method: string, path: string, body?: unknown, who = 'alice') {
    const response = await fetch(`${runtime.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKENS[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : undefined };
  }

  async function start(profile: string, prompt: string): Promise<{ sessionId: string; request: PendingRequest }> {
    const created = await call('POST', '/sessions/create', { agentProfileRef: profile, architecture: 'claude-agent-sdk' });
    expect(created.status).toBe(200);
    const sessionId = created.body!.sessionId as string;
    expect((await call('POST', `/sessions/${sessionId}/message`, { content: prompt })).status).toBe(200);
    const event = await waitFor((candidate) => candidate.sessionId === sessionId && (candidate.event === 'session:permission:request' || candidate.event === 'session:question:request'));
    return { sessionId, request: event.data as PendingRequest };
  }

  const turnEnd = (sessionId: string) => waitFor((event) => event.sessionId === sessionId && event.event === 'session:turn:end');
  const fileText = async (sessionId: string, path: string) => {
    const file = await runtime.sessions.readWorkspaceFile(sessionId, path).catch(() => undefined);
    if (!file) return undefined;
    return file.encoding === 'base64' ? Buffer.from(file.content, 'base64').toString('utf8') : file.content;
  };
  const toolResults = () => server.generationRequests('anthropic').flatMap((request) => request.view?.toolResults ?? []);

  beforeAll(async () => {
    server = await startModelServer(scenario());
    dataDir = mkdtempSync(join(tmpdir(), 'approvals-e2e-'));
    const made = offlineRuntime({
      database: join(dataDir, 'runtime.db'),
      dataDir,
      modelServerUrl: server.url,
      agents: ['claude-agent-sdk'],
      claudeProcessMode,
      server: {
        authenticate: async (request) => {
          const who = Object.entries(TOKENS).find(([, token]) => request.headers.authorization === `Bearer ${token}`);
          return who ? { principal: { id: who[0] } } : false;
        },
        authorizeSession: (principal) => (principal as { id: string }).id === 'alice',
      },
    });
    await made.persistence.seedProfiles([
      { id: 'careful', name: 'Careful', toolPolicy: { ask: ['Bash'] } },
      { id: 'hasty', name: 'Hasty', toolPolicy: { ask: ['Bash'], requestTimeoutMs: 1500 } },
    ]);
    runtime = made.runtime;
    await runtime.start();
    runtime.sessions.events.subscribe((event) => {
      events.push(event);
      for (const waiter of waiters.splice(0)) waiter();
    });
  }, 120_000);

  afterAll(async () => {
    await runtime?.stop();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('ask -> approve -> the tool runs once; a second answer is idempotent; another principal is refused', async () => {
    const { sessionId, request } = await start('careful', 'approve scenario');
    expect(request).toMatchObject({ kind: 'permission', toolName: 'Bash', input: { command: expect.stringContaining('approved.txt') } });
    const session = await call('GET', `/sessions/${sessionId}`);
    expect(session.body!.pendingRequests).toEqual([request]);
    expect(await fileText(sessionId, 'approved.txt')).toBeUndefined(); // nothing ran yet
    expect(await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'allow' }, 'mallory')).toMatchObject({ status: 403 });
    const answered = await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'allow' });
    expect(answered.body).toMatchObject({ alreadyResolved: false, resolution: { decision: 'allow', by: 'alice' } });
    const end = await turnEnd(sessionId);
    expect(end.data).toMatchObject({ outcome: 'completed' });
    expect(await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'deny' })).toMatchObject({
      status: 200,
      body: { alreadyResolved: true, resolution: answered.body!.resolution },
    });
    expect(await fileText(sessionId, 'approved.txt')).toBe('ran\n');
    const blocks = (await call('GET', `/sessions/${sessionId}`)).body!.blocks as { type: string; toolUseId?: string; status?: string }[];
    const approvalIndex = blocks.findIndex((block) => block.type === 'approval');
    expect(blocks[approvalIndex]).toMatchObject({ status: 'resolved' });
    expect(blocks[approvalIndex + 1]).toMatchObject({ type: 'tool_use', toolUseId: request.toolUseId });
  }, 180_000);

  it('ask -> deny -> the agent sees the denial and the turn completes', async () => {
    const { sessionId, request } = await start('careful', 'deny scenario');
    await call('POST', `/sessions/${sessionId}/permissions/${request.requestId}`, { decision: 'deny', message: 'Not on a Friday.' });
    expect((await turnEnd(sessionId)).data).toMatchObject({ outcome: 'completed' });
    expect(await fileText(sessionId, 'denied.txt')).toBeUndefined();
    expect(toolResults().find((result) => result.id === request.toolUseId)).toMatchObject({ isError: true, output: expect.stringContaining('Not on a Friday.') });
  }, 180_000);

  it('ask -> nobody answers -> denied by timeout, with a reason the agent sees', async () => {
    const { sessionId, request } = await start('hasty', 'timeout scenario');
    const resolved = await waitFor((event) => event.sessionId === sessionId && event.event === 'session:permission:resolved');
    expect(resolved.data).toMatchObject({ requestId: request.requestId, decision: 'deny', by: 'timeout' });
    expect((await turnEnd(sessionId)).data).toMatchObject({ outcome: 'completed' });
    expect(await fileText(sessionId, 'timeout.txt')).toBeUndefined();
    expect(toolResults().find((result) => result.id === request.toolUseId)?.output).toMatch(/Nobody answered within 2 s/);
  }, 180_000);

  it('AskUserQuestion -> the question and its options are presented -> the answer reaches the agent', async () => {
    const { sessionId, request } = await start('careful', 'question scenario');
    expect(request).toMatchObject({ kind: 'question', questions: [{ question: 'Which colour?', options: [{ label: 'Red' }, { label: 'Blue' }] }] });
    const answered = await call('POST', `/sessions/${sessionId}/questions/${request.requestId}`, { answers: { 'Which colour?': 'Blue' } });
    expect(answered.body).toMatchObject({ resolution: { decision: 'answered', answers: { 'Which colour?': 'Blue' } } });
    expect((await turnEnd(sessionId)).data).toMatchObject({ outcome: 'completed' });
    expect(toolResults().find((result) => result.id === request.toolUseId)?.output).toContain('"Which colour?"="Blue"');
  }, 180_000);
});
