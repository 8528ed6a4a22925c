/**
 * Warm mode against the REAL Claude Code (the SDK's native CLI) and the scripted model server,
 * under bubblewrap in the local sandbox: one process per session kept between turns, an
 * interrupt that keeps it, and a process that dies (between turns or during one) and resumes.
 */
import { foldAgentEvents, type AgentEvent, type Sandbox } from '@agent-runtime/core';
import type { ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClaudeArchitecture, type ClaudeArchitecture } from '../src/index.js';
import { ClaudeTestHarness } from './claude-test-harness.js';

const exited = new Set<number>();
const exitWaiters: (() => void)[] = [];
const harness = new ClaudeTestHarness('agent-claude-warm-', {
  processMode: 'warm',
  onWarmProcessExit: (process) => {
    exited.add(process.processId);
    for (const wake of exitWaiters.splice(0)) wake();
  },
});
const { newSandbox, turn, profile } = harness;
let server: ModelServer;
let architecture: ClaudeArchitecture;

beforeAll(async () => {
  ({ server, architecture } = await harness.start());
});
afterAll(() => harness.stop());

const turnEnds = (events: AgentEvent[]) => events.filter((event) => event.type === 'turn:end');
const processOf = (sessionId: string) => architecture.warmProcesses().find((process) => process.sessionId === sessionId);

async function expectStreamEqualsTranscript(sandbox: Sandbox, events: AgentEvent[]) {
  const parsed = architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId));
  expect(foldAgentEvents(events).get('main')).toEqual(parsed.main);
  return parsed;
}

/** Waits until the session has no live warm process (the killed CLI's exit was seen). */
async function processGone(processId: number) {
  while (!exited.has(processId)) await new Promise<void>((resolve) => exitWaiters.push(resolve));
}

describe('claude-agent-sdk warm processes (real CLI)', () => {
  it('keeps one process across turns, with the history in it', async () => {
    const sandbox = await newSandbox('w-two-turns');
    server.setScenario({ turns: [
      { match: { lastUserText: 'favourite colour' }, reply: { text: 'Noted: blue.' } },
      { match: { lastUserText: 'what colour' }, reply: { text: 'You said blue.' } },
    ] });
    const turn1 = await turn(sandbox, 'My favourite colour is blue.');
    expect(turnEnds(turn1)).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    const first = processOf('w-two-turns');
    expect(first).toMatchObject({ turns: 1, busy: false });
    const turn2 = await turn(sandbox, 'what colour did I say?');
    expect(turnEnds(turn2)).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    expect(processOf('w-two-turns')).toMatchObject({ processId: first!.processId, turns: 2 });
    expect(JSON.stringify(server.generationRequests('anthropic').at(-1)!.body)).toContain('Noted: blue.');
    const parsed = await expectStreamEqualsTranscript(sandbox, [...turn1, ...turn2]);
    expect(parsed.main.map((block) => block.type)).toEqual(['user_message', 'assistant_text', 'user_message', 'assistant_text']);
  });

  it('warm() starts the process ahead of the first message; the first turn runs in it; another warm-up starts no second one', async () => {
    const sandbox = await newSandbox('w-prewarmed');
    server.setScenario({ turns: [{ match: { lastUserText: 'hello' }, reply: { text: 'Hi from a warm process.' } }] });
    const requestsBefore = server.generationRequests('anthropic').length;
    await Promise.all([architecture.warm!({ sessionId: 'w-prewarmed', sandbox, profile }), architecture.warm!({ sessionId: 'w-prewarmed', sandbox, profile })]);
    const warmed = processOf('w-prewarmed');
    expect(warmed).toMatchObject({ turns: 0, busy: false, ready: true });
    expect(server.generationRequests('anthropic').length).toBe(requestsBefore); // no model call before the message
    const events = await turn(sandbox, 'hello');
    expect(turnEnds(events)).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    expect(processOf('w-prewarmed')).toMatchObject({ processId: warmed!.processId, turns: 1 });
    await architecture.warm!({ sessionId: 'w-prewarmed', sandbox, profile });
    expect(architecture.warmProcesses().filter((process) => process.sessionId === 'w-prewarmed')).toHaveLength(1);
    await expectStreamEqualsTranscript(sandbox, events);
  });

  it('an interrupt ends the turn and the next turn runs in the same process', async () => {
    const sandbox = await newSandbox('w-interrupt');
    server.setScenario({ turns: [
      { match: { lastUserText: 'talk slowly' }, reply: { text: Array.from({ length: 200 }, (_, index) => `chunk ${index} `), chunkDelayMs: 50 } },
      { match: { lastUserText: 'and now' }, reply: { text: 'Done quickly.' } },
    ] });
    const controller = new AbortController();
    const turn1 = await turn(sandbox, 'talk slowly', {
      onEvent: (event) => { if (event.type === 'block:delta') controller.abort(); },
      signal: controller.signal,
    });
    expect(turnEnds(turn1)).toEqual([expect.objectContaining({ outcome: 'interrupted' })]);
    const interrupted = processOf('w-interrupt');
    expect(interrupted).toBeDefined();
    const turn2 = await turn(sandbox, 'and now?');
    expect(turnEnds(turn2)).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    expect(processOf('w-interrupt')?.processId).toBe(interrupted!.processId);
    const text = turn2.filter((event) => event.type === 'block:delta').map((event) => event.type === 'block:delta' && event.delta).join('');
    expect(text).toContain('Done quickly.');
  });

  it('a process killed between turns is started again and resumes the full history', async () => {
    const sandbox = await newSandbox('w-killed');
    server.setScenario({ turns: [
      { match: { lastUserText: 'favourite colour' }, reply: { text: 'Noted: green.' } },
      { match: { lastUserText: 'what colour' }, reply: { text: 'You said green.' } },
    ] });
    const turn1 = await turn(sandbox, 'My favourite colour is green.');
    expect(turnEnds(turn1)).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    const first = processOf('w-killed')!;
    expect(architecture.stopWarmProcess('w-killed', { kill: true })).toBe(true);
    await processGone(first.processId);
    const turn2 = await turn(sandbox, 'what colour did I say?');
    expect(turnEnds(turn2)).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    const second = processOf('w-killed')!;
    expect(second.processId).not.toBe(first.processId);
    const body = JSON.stringify(server.generationRequests('anthropic').at(-1)!.body);
    expect(body).toContain('My favourite colour is green.');
    expect(body).toContain('Noted: green.');
    const parsed = await expectStreamEqualsTranscript(sandbox, [...turn1, ...turn2]);
    expect(parsed.main.map((block) => block.type)).toEqual(['user_message', 'assistant_text', 'user_message', 'assistant_text']);
  });

  it('a process that dies during a turn ends it with one error, and the next turn resumes', async () => {
    const sandbox = await newSandbox('w-crash');
    server.setScenario({ turns: [
      { match: { lastUserText: 'talk slowly' }, reply: { text: Array.from({ length: 200 }, (_, index) => `chunk ${index} `), chunkDelayMs: 50 } },
      { match: { lastUserText: 'still there' }, reply: { text: 'Yes, back again.' } },
    ] });
    let killed = false;
    const turn1 = await turn(sandbox, 'talk slowly', {
      onEvent: (event) => {
        if (event.type === 'block:delta' && !killed) killed = architecture.stopWarmProcess('w-crash', { kill: true });
      },
    });
    expect(turnEnds(turn1)).toEqual([expect.objectContaining({ outcome: 'error', error: expect.objectContaining({ code: 'AGENT_ERROR' }) })]);
    expect(turn1.at(-1)?.type).toBe('turn:end');
    const turn2 = await turn(sandbox, 'still there?');
    expect(turnEnds(turn2)).toEqual([expect.objectContaining({ outcome: 'completed' })]);
    expect(JSON.stringify(server.generationRequests('anthropic').at(-1)!.body)).toContain('talk slowly');
  });

  it('a process ends with its sandbox', async () => {
    const sandbox = await newSandbox('w-sandbox-stop');
    server.setScenario({ turns: [{ match: {}, reply: { text: 'Hello.' } }] });
    await turn(sandbox, 'hi');
    const process = processOf('w-sandbox-stop')!;
    await sandbox.terminate();
    await processGone(process.processId);
    expect(processOf('w-sandbox-stop')).toBeUndefined();
  });

  it('with maxWarmProcesses, the least recently used idle process stops first and its session resumes', async () => {
    const capped = createClaudeArchitecture({
      processMode: 'warm',
      maxWarmProcesses: 1,
      env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' },
      onWarmProcessExit: (process) => {
        exited.add(process.processId);
        for (const wake of exitWaiters.splice(0)) wake();
      },
    });
    const run = async (sandbox: Sandbox, message: string) => {
      const events: AgentEvent[] = [];
      for await (const event of capped.runTurn({ sessionId: sandbox.sessionId, sandbox, profile, message, turnId: `turn-${Math.random()}`, signal: new AbortController().signal })) events.push(event);
      return events;
    };
    try {
      server.setScenario({ turns: [
        { match: { lastUserText: 'remember' }, reply: { text: 'Remembered.' }, times: 'always' },
        { match: { lastUserText: 'what word' }, reply: { text: 'The word was kiwi.' } },
      ] });
      const a = await newSandbox('w-cap-a');
      const b = await newSandbox('w-cap-b');
      expect(turnEnds(await run(a, 'remember the word kiwi'))).toEqual([expect.objectContaining({ outcome: 'completed' })]);
      const first = capped.warmProcesses().find((process) => process.sessionId === 'w-cap-a')!;
      expect(turnEnds(await run(b, 'remember the word fig'))).toEqual([expect.objectContaining({ outcome: 'completed' })]);
      await processGone(first.processId);
      expect(capped.warmProcesses().map((process) => process.sessionId)).toEqual(['w-cap-b']);
      expect(turnEnds(await run(a, 'what word did I give?'))).toEqual([expect.objectContaining({ outcome: 'completed' })]);
      expect(capped.warmProcesses().map((process) => process.sessionId)).toEqual(['w-cap-a']);
      expect(JSON.stringify(server.generationRequests('anthropic').at(-1)!.body)).toContain('remember the word kiwi');
    } finally {
      await capped.dispose();
    }
  });
});
