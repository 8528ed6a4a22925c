import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldAgentEvents, type AgentEvent, type AgentProfile, type Sandbox, type ToolPermissionAnswer, type ToolPermissionQuery, type TurnApprovals } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiArchitecture, type GeminiArchitecture } from '../create-gemini-architecture.js';

/**
 * Tool approvals with the real Gemini CLI 0.61.0: a turn context with an `approvals` hook runs
 * the session in ACP mode `default`, and each `session/request_permission` goes to the hook
 * (a stub here, recording what it was asked).
 */
let server: ModelServer;
let architecture: GeminiArchitecture;
const sandboxes: Sandbox[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-approvals-'));
const provider = createLocalSandboxProvider({ dataDir });
// A policy: the engine's hook decides (here a stub); the CLI is made to ask for every tool.
const profile: AgentProfile = { id: 'p', name: 'Gemini approvals test', toolPolicy: { default: 'ask', allow: [], ask: [], deny: [], questions: 'ask' } };

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

function stubApprovals(decide: (query: ToolPermissionQuery) => ToolPermissionAnswer) {
  const asked: ToolPermissionQuery[] = [];
  const approvals: TurnApprovals = {
    async requestPermission(query) {
      asked.push(query);
      return decide(query);
    },
    async askQuestion() {
      return { decision: 'declined', by: 'test' };
    },
  };
  return { approvals, asked };
}

async function turn(sandbox: Sandbox, message: string, approvals: TurnApprovals) {
  const events: AgentEvent[] = [];
  const context = { sessionId: sandbox.sessionId, sandbox, profile, message, turnId: `t-${Math.random()}`, signal: new AbortController().signal, approvals };
  for await (const event of architecture.runTurn(context)) events.push(event);
  const ends = events.filter((event) => event.type === 'turn:end');
  expect(ends).toHaveLength(1);
  return { events, end: ends[0] as Extract<AgentEvent, { type: 'turn:end' }> };
}

const parsedMain = async (sandbox: Sandbox) => architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId)).main;

describe('gemini-cli approvals (ACP session/request_permission) with the real CLI', () => {
  it('ask → approve → the tool runs once; ask → deny → the agent sees the denial and the turn completes', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Write approved', fresh: true }, reply: { text: ['Writing.'], toolCalls: [{ name: 'write_file', input: { file_path: 'approved.txt', content: 'yes\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' }, lastUserText: 'Write approved' }, reply: { text: ['Written.'] } },
        { match: { lastUserText: 'Write denied' }, reply: { text: ['Trying.'], toolCalls: [{ name: 'write_file', input: { file_path: 'denied.txt', content: 'no\n' } }] } },
        { match: { lastToolResult: { name: 'write_file', isError: true } }, reply: { text: ['Understood, I will not write it.'] } },
      ],
    });
    const sandbox = await provider.create({ sessionId: 'approvals', readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
    sandboxes.push(sandbox);
    await architecture.prepare({ sessionId: sandbox.sessionId, sandbox, profile });

    const allow = stubApprovals(() => ({ decision: 'allow', by: 'user-1' }));
    const approved = await turn(sandbox, 'Write approved', allow.approvals);
    expect(approved.end.outcome).toBe('completed');
    expect(allow.asked).toHaveLength(1);
    expect(allow.asked[0]).toMatchObject({ toolName: 'write_file', input: { file_path: 'approved.txt', kind: 'edit', diff: { newText: 'yes\n' } } });
    expect(readFileSync(join(sandbox.workspacePath, 'approved.txt'), 'utf8')).toBe('yes\n');
    const writes = server.generationRequests('gemini').filter((request) => JSON.stringify(request.body).includes('approved.txt'));
    expect(JSON.stringify(writes.at(-1)!.body).match(/Successfully created and wrote/g), 'the tool ran once').toHaveLength(1);
    let parsed = await parsedMain(sandbox);
    expect(foldAgentEvents(approved.events, { strict: true }).get('main')).toEqual(parsed);
    expect(parsed.filter((block) => block.type === 'tool_use')).toMatchObject([{ toolName: 'write_file', status: 'success', toolUseId: allow.asked[0]!.toolUseId }]);

    const deny = stubApprovals(() => ({ decision: 'deny', message: 'not this file', by: 'user-1' }));
    const before = parsed.length;
    const denied = await turn(sandbox, 'Write denied', deny.approvals);
    expect(denied.end.outcome).toBe('completed');
    expect(deny.asked).toHaveLength(1);
    expect(existsSync(join(sandbox.workspacePath, 'denied.txt'))).toBe(false);
    // The model got the refusal as the tool's error result, without the person's message: the
    // CLI keeps only the answer's outcome (README, "Denial reasons"). A CLI that forwards it fails here.
    const afterDenial = JSON.stringify(server.generationRequests('gemini').at(-1)!.body);
    expect(afterDenial).toContain('was canceled by the user');
    expect(afterDenial).not.toContain('not this file');
    parsed = await parsedMain(sandbox);
    expect(foldAgentEvents(denied.events, { strict: true }).get('main')).toEqual(parsed.slice(before));
    expect(parsed.at(-1)).toMatchObject({ type: 'assistant_text', content: 'Understood, I will not write it.' });
  });

  it('per-turn mode: a turn with approvals runs in an ACP process that stops after it', async () => {
    const perTurn = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model', processMode: 'per-turn' });
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Write it' }, reply: { toolCalls: [{ name: 'write_file', input: { file_path: 'per-turn.txt', content: 'ok\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Done.'] } },
      ],
    });
    const sandbox = await provider.create({ sessionId: 'approvals-per-turn', readOnlyPaths: perTurn.sandboxReadOnlyPaths(), env: perTurn.sandboxEnv() });
    sandboxes.push(sandbox);
    await perTurn.prepare({ sessionId: sandbox.sessionId, sandbox, profile });
    const allow = stubApprovals(() => ({ decision: 'allow', by: 'user-1' }));
    const events: AgentEvent[] = [];
    for await (const event of perTurn.runTurn({ sessionId: sandbox.sessionId, sandbox, profile, message: 'Write it', turnId: 't', signal: new AbortController().signal, approvals: allow.approvals })) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    expect(allow.asked).toMatchObject([{ toolName: 'write_file', input: { file_path: 'per-turn.txt' } }]);
    expect(readFileSync(join(sandbox.workspacePath, 'per-turn.txt'), 'utf8')).toBe('ok\n');
    expect(perTurn.warmProcesses()).toEqual([]);
    expect(foldAgentEvents(events, { strict: true }).get('main')).toEqual(perTurn.parseTranscripts(await perTurn.readTranscripts(sandbox, sandbox.sessionId)).main);
    await perTurn.dispose();
  });

  it('with a toolPolicy even a read-only tool is asked about (the CLI policy asks for every tool)', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Read it' }, reply: { toolCalls: [{ name: 'read_file', input: { file_path: 'a.txt' } }] } },
        { match: { lastToolResult: { name: 'read_file' } }, reply: { text: ['It says A.'] } },
      ],
    });
    const sandbox = await provider.create({ sessionId: 'approvals-read', readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
    sandboxes.push(sandbox);
    await architecture.prepare({ sessionId: sandbox.sessionId, sandbox, profile });
    await sandbox.writeFile('a.txt', 'A\n');
    const allow = stubApprovals(() => ({ decision: 'allow', by: 'policy' }));
    const run = await turn(sandbox, 'Read it', allow.approvals);
    expect(run.end.outcome).toBe('completed');
    expect(allow.asked).toMatchObject([{ toolName: 'read_file', input: { file_path: 'a.txt', kind: 'read' } }]);
    expect(foldAgentEvents(run.events, { strict: true }).get('main')).toEqual(await parsedMain(sandbox));
  });
  it('a shell command the CLI deems safe (echo) is asked too: denied, it does not run; allowed, it runs', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Echo denied' }, reply: { toolCalls: [{ name: 'run_shell_command', input: { command: 'echo marker-denied' } }] } },
        { match: { lastUserText: 'Echo allowed' }, reply: { toolCalls: [{ name: 'run_shell_command', input: { command: 'echo marker-allowed' } }] } },
      ],
    });
    const sandbox = await provider.create({ sessionId: 'approvals-echo', readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
    sandboxes.push(sandbox);
    await architecture.prepare({ sessionId: sandbox.sessionId, sandbox, profile });
    const deny = stubApprovals((query) => (query.toolName === 'run_shell_command' ? { decision: 'deny', by: 'policy', message: 'no shell' } : { decision: 'allow', by: 'policy' }));
    const denied = await turn(sandbox, 'Echo denied', deny.approvals);
    expect(denied.end.outcome).toBe('completed');
    expect(deny.asked).toMatchObject([{ toolName: 'run_shell_command' }]);
    const outputs = (marker: string) => server.generationRequests('gemini').filter((request) => JSON.stringify(request.body).includes(`${marker}\\n`)).length;
    expect(outputs('marker-denied'), 'the denied echo printed nothing to the model').toBe(0);
    const allow = stubApprovals(() => ({ decision: 'allow', by: 'policy' }));
    const allowed = await turn(sandbox, 'Echo allowed', allow.approvals);
    expect(allowed.end.outcome).toBe('completed');
    expect(allow.asked).toMatchObject([{ toolName: 'run_shell_command' }]);
    expect(outputs('marker-allowed'), 'the allowed echo ran and its output reached the model').toBeGreaterThan(0);
  });
});
