import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldAgentEvents, type AgentEvent, type AgentProfile, type AgentTranscripts, type Sandbox, type TurnApprovals } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiArchitecture, type GeminiArchitecture } from '../create-gemini-architecture.js';

/**
 * `warm()` before a session's first message with the real Gemini CLI 0.61.0 (`gemini --acp` in
 * bubblewrap): the process it starts is the one that serves the session's first ACP turn.
 */
let server: ModelServer;
let architecture: GeminiArchitecture;
const sandboxes: Sandbox[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-warm-up-'));
const provider = createLocalSandboxProvider({ dataDir });
const profile: AgentProfile = { id: 'p', name: 'Gemini warm-up test' };

beforeAll(async () => {
  server = await startModelServer();
  architecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model', processMode: 'warm' });
});

afterAll(async () => {
  await architecture?.dispose();
  await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newSandbox(sessionId: string, sessionProfile: AgentProfile, transcripts?: AgentTranscripts): Promise<Sandbox> {
  const sandbox = await provider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
  sandboxes.push(sandbox);
  await architecture.prepare({ sessionId, sandbox, profile: sessionProfile, ...(transcripts ? { transcripts } : {}) });
  return sandbox;
}

async function turn(sandbox: Sandbox, sessionProfile: AgentProfile, message: string, approvals?: TurnApprovals) {
  const parse = async () => architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId)).main;
  const before = await parse();
  const events: AgentEvent[] = [];
  const started = performance.now();
  let firstBlockMs = -1;
  const context = { sessionId: sandbox.sessionId, sandbox, profile: sessionProfile, message, turnId: `t-${Math.random()}`, signal: new AbortController().signal, ...(approvals ? { approvals } : {}) };
  for await (const event of architecture.runTurn(context)) {
    if (firstBlockMs < 0 && event.type.startsWith('block:')) firstBlockMs = performance.now() - started;
    events.push(event);
  }
  expect(events.filter((event) => event.type === 'turn:end'), 'exactly one turn:end').toHaveLength(1);
  const after = await parse();
  return { end: events.at(-1) as Extract<AgentEvent, { type: 'turn:end' }>, streamed: foldAgentEvents(events, { strict: true }).get('main'), parsed: after.slice(before.length), firstBlockMs };
}

const processOf = (sandbox: Sandbox) => architecture.warmProcesses().find((process) => process.sessionId === sandbox.sessionId);
const lastContents = () => JSON.stringify((server.generationRequests('gemini').at(-1)!.body as { contents: unknown }).contents);

describe('gemini-cli warm() before the first message (real CLI)', () => {
  it('a session resumed in a new sandbox: warm() loads it, and its first turn there runs in that process with the history', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Remember 7' }, reply: { text: ['Noted: 7.'] } },
        { match: { lastUserText: 'Which number?' }, reply: { text: ['It was 7.'] } },
      ],
    });
    const first = await newSandbox('warm-up-resume', profile);
    const cold = await turn(first, profile, 'Remember 7');
    expect(cold.end.outcome).toBe('completed');
    const stored = await architecture.readTranscripts(first, first.sessionId);
    architecture.stopWarmProcess(first.sessionId);

    const second = await newSandbox('warm-up-resume', profile, stored);
    await architecture.warm({ sessionId: second.sessionId, sandbox: second, profile });
    const warmed = processOf(second);
    expect(warmed).toMatchObject({ sandboxId: second.id, ready: true, turns: 0 });
    const run = await turn(second, profile, 'Which number?');
    expect(run.end.outcome).toBe('completed');
    expect(processOf(second)).toMatchObject({ processId: warmed!.processId, turns: 1 });
    expect(lastContents()).toContain('Noted: 7.');
    expect(run.streamed).toEqual(run.parsed);
    console.log('first turn in a new sandbox after warm(): message -> first block ms (loaded machine):', Math.round(run.firstBlockMs), 'cold first turn:', Math.round(cold.firstBlockMs));
  }, 180_000);

  it('a new session without a policy: the first turn runs stream-json, the warmed process then loads it and serves the second', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'One' }, reply: { text: ['First.'] } },
        { match: { lastUserText: 'Two' }, reply: { text: ['Second.'] } },
      ],
    });
    const sandbox = await newSandbox('warm-up-new', profile);
    await architecture.warm({ sessionId: sandbox.sessionId, sandbox, profile });
    const warmed = processOf(sandbox);
    expect(warmed).toMatchObject({ ready: false, initialized: true, turns: 0 });
    expect((await turn(sandbox, profile, 'One')).end.outcome).toBe('completed');
    const run = await turn(sandbox, profile, 'Two');
    expect(run.end.outcome).toBe('completed');
    expect(processOf(sandbox)).toMatchObject({ processId: warmed!.processId, turns: 1 });
    expect(lastContents()).toContain('First.');
    expect(run.streamed).toEqual(run.parsed);
  }, 180_000);

  it('a policy session: warm() creates the session (mode default), and the first turn asks through that process', async () => {
    const policy: AgentProfile = { ...profile, toolPolicy: { default: 'ask' } };
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Write it' }, reply: { toolCalls: [{ name: 'write_file', input: { file_path: 'warm.txt', content: 'ok\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Written.'] } },
      ],
    });
    const sandbox = await newSandbox('warm-up-policy', policy);
    await architecture.warm({ sessionId: sandbox.sessionId, sandbox, profile: policy });
    const warmed = processOf(sandbox);
    expect(warmed).toMatchObject({ ready: true, turns: 0 });
    const asked: string[] = [];
    const approvals: TurnApprovals = {
      async requestPermission(query) {
        asked.push(query.toolName);
        expect(processOf(sandbox)?.processId, 'asked by the warmed process').toBe(warmed!.processId);
        return { decision: 'allow', by: 'user-1' };
      },
      async askQuestion() {
        return { decision: 'declined', by: 'test' };
      },
    };
    const run = await turn(sandbox, policy, 'Write it', approvals);
    expect(run.end.outcome).toBe('completed');
    expect(asked).toEqual(['write_file']);
    expect(run.streamed).toEqual(run.parsed);
  }, 180_000);
});
