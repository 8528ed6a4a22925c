import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldAgentEvents, type AgentArchitecture, type AgentEvent, type AgentProfile, type ConversationBlock, type Sandbox, type UserMessageContent } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiArchitecture } from './create-gemini-architecture.js';
import { geminiSessionUuid } from './gemini-paths.js';

let server: ModelServer;
let architecture: AgentArchitecture;
const sandboxes: Sandbox[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-test-'));
const provider = createLocalSandboxProvider({ dataDir });
const profile: AgentProfile = { id: 'p', name: 'Gemini test' };

beforeAll(async () => {
  server = await startModelServer();
  architecture = createGeminiArchitecture({
    env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url },
    model: 'fake-model',
  });
});

afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newSandbox(sessionId: string, options: { profile?: AgentProfile; transcripts?: Parameters<AgentArchitecture['prepare']>[0]['transcripts'] } = {}) {
  const sandbox = await provider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
  sandboxes.push(sandbox);
  await architecture.prepare({ sessionId, sandbox, profile: options.profile ?? profile, ...(options.transcripts ? { transcripts: options.transcripts } : {}) });
  return sandbox;
}

interface TurnRun {
  events: AgentEvent[];
  streamed: ConversationBlock[];
  /** Blocks this turn added to the parsed transcript. */
  parsed: ConversationBlock[];
  end: Extract<AgentEvent, { type: 'turn:end' }>;
}

async function turn(
  sandbox: Sandbox,
  message: UserMessageContent,
  options: { profile?: AgentProfile; signal?: AbortSignal; onEvent?: (event: AgentEvent) => void } = {},
): Promise<TurnRun> {
  const parse = async () => architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId)).main;
  const before = await parse();
  const events: AgentEvent[] = [];
  for await (const event of architecture.runTurn({
    sessionId: sandbox.sessionId,
    sandbox,
    profile: options.profile ?? profile,
    message,
    turnId: `turn-${events.length}`,
    signal: options.signal ?? new AbortController().signal,
  })) {
    events.push(event);
    options.onEvent?.(event);
  }
  const ends = events.filter((event) => event.type === 'turn:end');
  expect(ends).toHaveLength(1);
  expect(events.at(-1)).toBe(ends[0]);
  const after = await parse();
  expect(after.slice(0, before.length)).toEqual(before);
  return { events, streamed: foldAgentEvents(events, { strict: true }).get('main')!, parsed: after.slice(before.length), end: ends[0] as TurnRun['end'] };
}

const summary = (blocks: ConversationBlock[]) =>
  blocks.map((block) => (block.type === 'tool_use' ? `tool_use:${block.toolName}:${block.status}` : block.type));

describe('gemini-cli architecture with the real Gemini CLI', () => {
  it('streams plain text and thinking; streamed blocks equal the parsed session file', async () => {
    server.setScenario({
      turns: [{ match: { lastUserText: 'Hello' }, reply: { thinking: ['**Thinking it over** A greeting.'], text: ['Hi ', 'there', '!'] } }],
    });
    const sandbox = await newSandbox('s-text');
    const run = await turn(sandbox, 'Hello');
    expect(run.end).toMatchObject({ outcome: 'completed' });
    expect(run.events.filter((e) => e.type === 'block:delta').length).toBeGreaterThan(0);
    expect(summary(run.streamed)).toEqual(['user_message', 'assistant_text', 'thinking']);
    expect(run.streamed[1]).toMatchObject({ content: 'Hi there!', model: 'fake-model' });
    expect(run.streamed[2]).toMatchObject({ content: 'A greeting.', summary: 'Thinking it over' });
    expect(run.streamed).toEqual(run.parsed);
    expect(run.events.some((e) => e.type === 'metadata' && e.usage)).toBe(true);
  });

  it('runs a tool loop that writes then edits a file, with a failed tool call', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Make notes' }, reply: { text: ['Writing notes.'], toolCalls: [{ name: 'write_file', input: { file_path: 'notes.txt', content: 'draft\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { toolCalls: [{ name: 'replace', input: { file_path: 'notes.txt', old_string: 'draft', new_string: 'final', instruction: 'finalize' } }] } },
        { match: { lastToolResult: { name: 'replace' } }, reply: { toolCalls: [{ name: 'read_file', input: { file_path: 'nope.txt' } }] } },
        { match: { lastToolResult: { name: 'read_file', isError: true } }, reply: { text: ['All done.'] } },
      ],
    });
    const sandbox = await newSandbox('s-tools');
    const run = await turn(sandbox, 'Make notes');
    expect(run.end).toMatchObject({ outcome: 'completed' });
    expect(readFileSync(join(sandbox.workspacePath, 'notes.txt'), 'utf8')).toBe('final\n');
    expect(summary(run.streamed)).toEqual([
      'user_message',
      'assistant_text',
      'tool_use:write_file:success',
      'tool_result',
      'tool_use:replace:success',
      'tool_result',
      'tool_use:read_file:error',
      'tool_result',
      'assistant_text',
    ]);
    expect(run.streamed[7]).toMatchObject({ isError: true });
    expect(run.streamed).toEqual(run.parsed);
    expect(server.unusedTurnIds()).toEqual([]);
  });

  it('resumes in a NEW sandbox from the stored session file; the model receives the earlier turns', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Remember the word kumquat' }, reply: { text: ['Noted: kumquat.'] } },
        { match: { lastUserText: 'Which word' }, reply: { text: ['The word was kumquat.'] } },
      ],
    });
    const sessionId = 's-resume';
    const first = await newSandbox(sessionId);
    const run1 = await turn(first, 'Remember the word kumquat');
    expect(run1.end.outcome).toBe('completed');
    const stored = await architecture.readTranscripts(first, sessionId);
    expect(stored.main).toContain(geminiSessionUuid(sessionId));
    await first.terminate();

    const second = await newSandbox(sessionId, { transcripts: stored });
    const run2 = await turn(second, 'Which word was it?');
    expect(run2.end).toMatchObject({ outcome: 'completed' });
    const request = server.generationRequests('gemini').at(-1)!;
    const history = JSON.stringify((request.body as { contents: unknown[] }).contents);
    expect(history).toContain('Remember the word kumquat');
    expect(history).toContain('Noted: kumquat.');
    expect(run2.streamed).toEqual(run2.parsed);
    const all = architecture.parseTranscripts(await architecture.readTranscripts(second, sessionId)).main;
    expect(all.slice(0, 2)).toEqual([...run1.parsed]);
    expect(summary(all)).toEqual(['user_message', 'assistant_text', 'user_message', 'assistant_text']);
  });

  it('ends with an error turn when the model answers HTTP 500 (exit code is not trusted)', async () => {
    server.setScenario({ turns: [{ match: { lastUserText: 'Break' }, error: { status: 500, message: 'scripted outage' } }] });
    const sandbox = await newSandbox('s-error');
    const run = await turn(sandbox, 'Break');
    expect(run.end).toMatchObject({ outcome: 'error', error: { code: 'AGENT_ERROR', message: expect.stringContaining('500') } });
    expect(run.streamed).toEqual(run.parsed);
  });

  it('interrupts a running turn: the CLI is killed and the turn ends interrupted', async () => {
    // The reply stalls after its first chunk (no timing): whatever the load, only 'one ' can arrive.
    server.setScenario({ turns: [{ match: { lastUserText: 'Slow' }, reply: { text: ['one ', 'two ', 'three ', 'four'], stallAfterEvents: 1 } }] });
    const sandbox = await newSandbox('s-interrupt');
    const controller = new AbortController();
    const run = await turn(sandbox, 'Slow', {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'block:start' && event.block.type === 'assistant_text') controller.abort();
      },
    });
    expect(run.end).toMatchObject({ outcome: 'interrupted' });
    expect(run.streamed.find((b) => b.type === 'assistant_text')).toMatchObject({ content: 'one ' });
    for (const event of run.events.filter((e) => e.type === 'block:start')) {
      expect(run.events.some((e) => e.type === 'block:complete' && e.blockId === event.block.id)).toBe(true);
    }
  });

  it('gives every profile field to the CLI: system prompt, GEMINI.md, skills, commands, tools, env, model', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Greet politely' }, reply: { toolCalls: [{ name: 'run_shell_command', input: { command: 'echo "value=$PROFILE_VAR"' } }] } },
        { match: { lastToolResult: { name: 'run_shell_command' } }, reply: { text: ['Greeted.'] } },
      ],
    });
    const rich: AgentProfile = {
      id: 'rich',
      name: 'Rich profile',
      model: 'fake-model',
      systemPrompt: 'SYSTEM-PROMPT-MARKER: be brief.',
      agentMDFile: 'AGENT-MD-MARKER: project rules.',
      skills: [{ name: 'kumquat-skill', description: 'Knows about kumquats', skillMd: 'Kumquats are small.', supportingFiles: [{ relativePath: 'ref/notes.md', content: 'x' }] }],
      commands: [{ name: 'greet', prompt: 'Greet politely, then stop.' }],
      tools: ['run_shell_command', 'read_file'],
      environmentVariables: { PROFILE_VAR: 'from-profile' },
      mcpServers: { local: { command: 'true' } },
    };
    const sandbox = await newSandbox('s-profile', { profile: rich });
    const run = await turn(sandbox, '/greet', { profile: rich });
    expect(run.end).toMatchObject({ outcome: 'completed' });
    const request = server.generationRequests('gemini')[0]!;
    expect(request.view!.lastUserText).toContain('Greet politely, then stop.');
    expect(request.view!.system).toContain('SYSTEM-PROMPT-MARKER');
    // Workspace GEMINI.md is "project memory": the CLI puts it in the first user message's context.
    expect(JSON.stringify((request.body as { contents: unknown[] }).contents)).toContain('AGENT-MD-MARKER');
    expect(request.view!.system).toContain('kumquat-skill');
    expect(request.view!.model).toBe('fake-model');
    expect(request.view!.toolNames).toContain('run_shell_command');
    expect(request.view!.toolNames).not.toContain('write_file');
    const result = run.streamed.find((b) => b.type === 'tool_result');
    expect(JSON.stringify(result)).toContain('value=from-profile');
    const settings = JSON.parse(readFileSync(join(sandbox.homePath, '.gemini', 'settings.json'), 'utf8'));
    expect(settings.mcpServers).toEqual({ local: { command: 'true' } });
    expect(run.streamed).toEqual(run.parsed);
  });

  it('maps profile subagents: the main agent sees them and delegates with invoke_agent; the subagent runs with its prompt', async () => {
    server.setScenario({
      turns: [
        // The subagent's own request: its definition's prompt is its system prompt.
        { match: { system: 'REVIEWER-SUBAGENT-PROMPT' }, reply: { toolCalls: [{ name: 'complete_task', input: { result: 'REVIEWED-OK' } }] } },
        { match: { lastUserText: 'Review the code', hasTool: 'invoke_agent' }, reply: { toolCalls: [{ name: 'invoke_agent', input: { agent_name: 'code-reviewer', prompt: 'Check main.ts' } }] } },
        { match: { lastToolResult: { name: 'invoke_agent' } }, reply: { text: ['Review done.'] } },
      ],
    });
    const withSubagents: AgentProfile = {
      id: 'subagents',
      name: 'With subagents',
      subagents: [{ name: 'Code.Reviewer', description: 'SUBAGENT-DESCRIPTION-MARKER: reviews code', prompt: 'REVIEWER-SUBAGENT-PROMPT: reply with a report.', tools: ['read_file'] }],
    };
    const sandbox = await newSandbox('s-subagents', { profile: withSubagents });
    const run = await turn(sandbox, 'Review the code', { profile: withSubagents });
    expect(run.end).toMatchObject({ outcome: 'completed' });
    const [main, sub] = server.generationRequests('gemini');
    expect(main!.view!.toolNames).toContain('invoke_agent');
    expect(main!.view!.system).toContain('<name>code-reviewer</name>');
    expect(main!.view!.system).toContain('<description>SUBAGENT-DESCRIPTION-MARKER: reviews code</description>');
    expect(sub!.view!.system).toContain('REVIEWER-SUBAGENT-PROMPT');
    expect(sub!.view!.lastUserText).toContain('Check main.ts');
    expect(sub!.view!.toolNames).toContain('read_file');
    expect(sub!.view!.toolNames).not.toContain('write_file');
    const result = run.streamed.find((b) => b.type === 'tool_result');
    expect(JSON.stringify(result)).toContain('REVIEWED-OK');
    expect(run.streamed).toEqual(run.parsed);
    // The subagent's conversation is linked to the parent's invoke_agent call.
    const parsed = architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId));
    const call = parsed.main.find((b) => b.type === 'tool_use' && b.toolName === 'invoke_agent');
    expect(parsed.subagents).toHaveLength(1);
    expect(parsed.subagents[0]).toMatchObject({ toolUseId: (call as { toolUseId: string }).toolUseId, name: 'code-reviewer' });
  });

  it('runs a turn whose message holds images: they are not sent, the text is; an images-only message still runs', async () => {
    server.setScenario({ turns: [{ match: { lastUserText: 'What is in it?' }, reply: { text: ['No image reached me.'] } }], fallback: { text: ['Nothing to see.'] } });
    const sandbox = await newSandbox('s-images');
    const image = { type: 'image' as const, mediaType: 'image/png', data: 'iVBORw0KGgo=' };
    const mixed = await turn(sandbox, [{ type: 'text', text: 'What is in it?' }, image]);
    expect(mixed.end).toMatchObject({ outcome: 'completed' });
    expect(mixed.streamed).toEqual(mixed.parsed);
    expect(mixed.parsed[0]).toMatchObject({ type: 'user_message', content: 'What is in it?' });
    const only = await turn(sandbox, [image]);
    expect(only.end).toMatchObject({ outcome: 'completed' });
    expect(only.streamed).toEqual(only.parsed);
    expect(only.parsed[0]).toMatchObject({ type: 'user_message', content: expect.stringContaining('no text. Images cannot be passed') });
    const bodies = server.generationRequests('gemini').map((request) => JSON.stringify(request.body));
    expect(bodies.some((body) => body.includes('inlineData') || body.includes('iVBORw0KGgo'))).toBe(false);
  });
});
