/**
 * The REAL Claude Code (the SDK's native CLI) against the scripted model server, run under
 * bubblewrap in the local sandbox (`@agent-runtime/sandbox-local`). Every scenario checks that the streamed block events, folded,
 * equal the blocks parsed from the transcripts the CLI wrote.
 * RECORD_FIXTURES=<dir> also writes each scenario's transcripts and SDK messages there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { foldAgentEvents, type AgentEvent, type Sandbox } from '@agent-runtime/core';
import type { ModelServer, Scenario } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaudeArchitecture } from '../src/index.js';
import { ClaudeTestHarness } from './claude-test-harness.js';

let sdkMessages: unknown[] = [];
const harness = new ClaudeTestHarness('agent-claude-local-', { onSdkMessage: (message) => sdkMessages.push(message) });
const { newSandbox, turn } = harness;
let server: ModelServer;
let architecture: ClaudeArchitecture;

beforeAll(async () => {
  ({ server, architecture } = await harness.start());
});
afterAll(() => harness.stop());

/** Folded stream == parsed transcripts, per conversation; records fixtures when asked. */
async function expectStreamEqualsTranscript(name: string, sandbox: Sandbox, events: AgentEvent[]) {
  const transcripts = await architecture.readTranscripts(sandbox, sandbox.sessionId);
  const parsed = architecture.parseTranscripts(transcripts);
  const directory = process.env.RECORD_FIXTURES;
  if (directory) {
    const target = join(directory, name);
    mkdirSync(join(target, 'subagents'), { recursive: true });
    writeFileSync(join(target, 'main.jsonl'), transcripts.main ?? '');
    for (const subagent of transcripts.subagents) writeFileSync(join(target, 'subagents', `agent-${subagent.id}.jsonl`), subagent.rawTranscript);
    writeFileSync(join(target, 'sdk-messages.jsonl'), sdkMessages.map((message) => JSON.stringify(message)).join('\n') + '\n');
  }
  const folded = foldAgentEvents(events);
  expect(folded.get('main')).toEqual(parsed.main);
  for (const subagent of parsed.subagents) expect(folded.get(subagent.id)).toEqual(subagent.blocks);
  expect([...folded.keys()].sort()).toEqual(['main', ...parsed.subagents.map((subagent) => subagent.id)].sort());
  return { parsed, transcripts };
}

function play(scenario: Scenario) {
  server.setScenario(scenario);
  sdkMessages = [];
}

const end = (events: AgentEvent[]) => {
  const last = events.at(-1);
  expect(events.filter((event) => event.type === 'turn:end')).toHaveLength(1);
  return last?.type === 'turn:end' ? last : undefined;
};

describe('claude-agent-sdk architecture with the real Claude Code', () => {
  it('plain text', async () => {
    const sandbox = await newSandbox('s-text');
    play({ turns: [{ match: { lastUserText: 'hello' }, reply: { text: ['Hi ', 'there!'] } }] });
    const events = await turn(sandbox, 'hello');
    expect(end(events)).toMatchObject({ outcome: 'completed' });
    expect(events.filter((event) => event.type === 'block:delta').length).toBeGreaterThan(0);
    const { parsed } = await expectStreamEqualsTranscript('text', sandbox, events);
    expect(parsed.main.map((block) => block.type)).toEqual(['user_message', 'assistant_text']);
    expect(parsed.main[1]).toMatchObject({ content: 'Hi there!' });
  });

  it('thinking and a tool loop that writes then edits a file', async () => {
    const sandbox = await newSandbox('s-tools');
    const file = join(sandbox.workspacePath, 'notes.txt');
    play({ turns: [
      { match: { lastUserText: 'write notes', fresh: true }, reply: { thinking: 'I will write the file.', text: 'Writing it.', toolCalls: [{ name: 'Write', input: { file_path: file, content: 'one\n' } }] } },
      { match: { lastToolResult: { name: 'Write' } }, reply: { toolCalls: [{ name: 'Edit', input: { file_path: file, old_string: 'one', new_string: 'two' } }] } },
      { match: { lastToolResult: { name: 'Edit' } }, reply: { text: 'Done editing.' } },
    ] });
    const events = await turn(sandbox, [{ type: 'text', text: 'write notes please' }]);
    expect(end(events)).toMatchObject({ outcome: 'completed' });
    const { parsed } = await expectStreamEqualsTranscript('tools', sandbox, events);
    expect(parsed.main.map((block) => block.type)).toEqual([
      'user_message', 'thinking', 'assistant_text', 'tool_use', 'tool_result', 'tool_use', 'tool_result', 'assistant_text',
    ]);
    expect(parsed.main.filter((block) => block.type === 'tool_use').map((block) => block.type === 'tool_use' && block.status)).toEqual(['success', 'success']);
    expect(new TextDecoder().decode(await sandbox.readFile('notes.txt'))).toBe('two\n');
  });

  it('a failed tool call', async () => {
    const sandbox = await newSandbox('s-fail');
    play({ turns: [
      { match: { lastUserText: 'read it', fresh: true }, reply: { toolCalls: [{ name: 'Read', input: { file_path: join(sandbox.workspacePath, 'missing.txt') } }] } },
      { match: { lastToolResult: { isError: true } }, reply: { text: 'That file does not exist.' } },
    ] });
    const events = await turn(sandbox, 'read it');
    expect(end(events)).toMatchObject({ outcome: 'completed' });
    const { parsed } = await expectStreamEqualsTranscript('failed-tool', sandbox, events);
    expect(parsed.main.find((block) => block.type === 'tool_use')).toMatchObject({ toolName: 'Read', status: 'error' });
    expect(parsed.main.find((block) => block.type === 'tool_result')).toMatchObject({ isError: true });
  });

  it('a synchronous subagent streams under its own conversation id', async () => {
    const sandbox = await newSandbox('s-agent');
    play({ turns: [
      { match: { lastUserText: 'delegate', fresh: true }, reply: { text: 'Delegating.', toolCalls: [{ name: 'Agent', input: { description: 'compute', prompt: 'SUBAGENT_TASK: what is 6*7?', subagent_type: 'general-purpose', run_in_background: false } }] } },
      { match: { lastUserText: 'SUBAGENT_TASK', fresh: true }, reply: { text: 'The answer is 42.' } },
      { match: { lastToolResult: { name: 'Agent' } }, reply: { text: 'The subagent says 42.' } },
    ] });
    const events = await turn(sandbox, 'delegate this');
    expect(end(events)).toMatchObject({ outcome: 'completed' });
    const { parsed } = await expectStreamEqualsTranscript('subagent', sandbox, events);
    expect(parsed.subagents).toHaveLength(1);
    const subagent = parsed.subagents[0]!;
    const discovered = events.find((event) => event.type === 'subagent:discovered');
    expect(discovered).toMatchObject({ subagent: { id: subagent.id, name: 'general-purpose' } });
    expect(events.find((event) => event.type === 'subagent:completed')).toMatchObject({ subagentId: subagent.id, status: 'success' });
    expect(parsed.main.find((block) => block.type === 'subagent')).toMatchObject({ subagentId: subagent.id, status: 'success', output: 'The answer is 42.' });
    expect(subagent.blocks.map((block) => block.type)).toEqual(['user_message', 'assistant_text']);
    // Its blocks were streamed before the turn ended, under the subagent's id.
    const firstSubagentBlock = events.findIndex((event) => event.type === 'block:start' && event.conversationId === subagent.id);
    expect(firstSubagentBlock).toBeGreaterThan(-1);
  });

  it('a background subagent completes from its <task-notification>', async () => {
    const sandbox = await newSandbox('s-background');
    play({ turns: [
      { match: { lastUserText: 'delegate in background', fresh: true }, reply: { text: 'Starting it.', toolCalls: [{ name: 'Agent', input: { description: 'compute', prompt: 'BACKGROUND_TASK: what is 6*7?', subagent_type: 'general-purpose' } }] } },
      { match: { lastUserText: 'BACKGROUND_TASK', fresh: true }, reply: { text: 'The answer is 42.' } },
      { match: { lastToolResult: { name: 'Agent' } }, reply: { text: 'Started a subagent.' }, times: 'always' },
      { match: { taskNotification: '42' }, reply: { text: 'The subagent said 42.' } },
    ] });
    const events = await turn(sandbox, 'delegate in background');
    expect(end(events)).toMatchObject({ outcome: 'completed' });
    const { parsed } = await expectStreamEqualsTranscript('background-subagent', sandbox, events);
    expect(parsed.subagents).toHaveLength(1);
    const subagent = parsed.subagents[0]!;
    const block = parsed.main.find((candidate) => candidate.type === 'subagent');
    expect(block).toMatchObject({ subagentId: subagent.id, status: 'success', output: 'The answer is 42.' });
    expect(block?.type === 'subagent' && typeof block.durationMs === 'number').toBe(true);
    expect(events.find((event) => event.type === 'subagent:completed')).toMatchObject({ subagentId: subagent.id, status: 'success' });
    // The notification turn is no user message; the model's answer to it is.
    expect(parsed.main.filter((candidate) => candidate.type === 'user_message')).toHaveLength(1);
    expect(parsed.main.at(-1)).toMatchObject({ type: 'assistant_text', content: 'The subagent said 42.' });
  });

  it('resumes in a new sandbox from stored transcripts', async () => {
    const first = await newSandbox('s-resume');
    play({ turns: [
      { match: { lastUserText: 'favourite colour' }, reply: { text: 'Noted: blue.' } },
      { match: { lastUserText: 'what colour' }, reply: { text: 'You said blue.' } },
    ] });
    const turn1 = await turn(first, 'My favourite colour is blue.');
    expect(end(turn1)).toMatchObject({ outcome: 'completed' });
    const stored = await architecture.readTranscripts(first, 's-resume');
    await first.terminate();
    const second = await newSandbox('s-resume', stored);
    const turn2 = await turn(second, 'what colour did I say?');
    expect(end(turn2)).toMatchObject({ outcome: 'completed' });
    const request = server.generationRequests('anthropic').at(-1)!;
    expect(JSON.stringify(request.body)).toContain('My favourite colour is blue.');
    expect(JSON.stringify(request.body)).toContain('Noted: blue.');
    const { parsed } = await expectStreamEqualsTranscript('resume', second, [...turn1, ...turn2]);
    expect(parsed.main.map((block) => block.type)).toEqual(['user_message', 'assistant_text', 'user_message', 'assistant_text']);
  });

  it('a model error ends the turn with outcome error', async () => {
    const sandbox = await newSandbox('s-error');
    play({ turns: [{ match: {}, error: { status: 500, message: 'scripted failure' }, times: 'always' }] });
    const events = await turn(sandbox, 'fail please');
    const last = end(events);
    expect(last).toMatchObject({ outcome: 'error', error: { code: 'AGENT_ERROR' } });
    await expectStreamEqualsTranscript('model-error', sandbox, events);
  });

  it('an interrupt ends the turn with outcome interrupted', async () => {
    const sandbox = await newSandbox('s-interrupt');
    play({ turns: [{ match: {}, reply: { text: Array.from({ length: 200 }, (_, index) => `chunk ${index} `), chunkDelayMs: 50 } }] });
    const controller = new AbortController();
    const events = await turn(sandbox, 'talk slowly', {
      onEvent: (event) => { if (event.type === 'block:delta') controller.abort(); },
      signal: controller.signal,
    });
    expect(end(events)).toMatchObject({ outcome: 'interrupted' });
    const text = events.filter((event) => event.type === 'block:delta').map((event) => event.type === 'block:delta' && event.delta).join('');
    expect(text).not.toContain('chunk 199');
    await expectStreamEqualsTranscript('interrupt', sandbox, events);
  });
});
