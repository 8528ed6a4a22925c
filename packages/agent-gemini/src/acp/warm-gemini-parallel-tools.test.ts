import type { ConversationBlock } from '@agent-runtime/core';
import type { ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GeminiArchitecture } from '../create-gemini-architecture.js';
import { WarmGeminiHarness, type WarmTurnRun } from './warm-gemini-test-harness.js';

/**
 * One model response with two or three tool calls in warm mode (real Gemini CLI 0.61.0, `gemini
 * --acp`, a loaded session): ACP runs the calls one at a time (call, result, call, result), while
 * the session file records them as one response. The stream must still fold to the file's blocks.
 */
const harness = new WarmGeminiHarness();
const { newSandbox, turn } = harness;
let server: ModelServer;
let architecture: GeminiArchitecture;

beforeAll(async () => {
  ({ server, architecture } = await harness.start());
});

afterAll(() => harness.stop());

const shell = (command: string) => ({ name: 'run_shell_command', input: { command } });

/** Streamed blocks equal the file's, ids unique, every result right after a call it answers. */
function expectStreamEqualsFile(run: WarmTurnRun, calls: number): void {
  expect(run.end.outcome).toBe('completed');
  const ids = run.events.flatMap((event) => (event.type === 'block:start' ? [event.block.id] : []));
  expect(new Set(ids).size, 'no block started twice').toBe(ids.length);
  expect(run.streamed.map((block) => block.id), 'order as in the file').toEqual(run.parsed.map((block) => block.id));
  expect(run.streamed).toEqual(run.parsed);
  const uses = run.parsed.filter((block): block is Extract<ConversationBlock, { type: 'tool_use' }> => block.type === 'tool_use');
  const results = run.parsed.filter((block): block is Extract<ConversationBlock, { type: 'tool_result' }> => block.type === 'tool_result');
  expect(uses).toHaveLength(calls);
  expect(results.map((block) => block.toolUseId), 'each result answers its call').toEqual(uses.map((block) => block.toolUseId));
  for (const [index, result] of results.entries()) expect(String(result.output)).toContain(`out${index + 1}`);
}

describe('gemini-cli warm mode: one response with several tool calls (real CLI)', () => {
  it.each([
    { calls: 2, thinking: false },
    { calls: 3, thinking: false },
    { calls: 2, thinking: true },
    { calls: 3, thinking: true },
  ])('$calls tool calls in one response (thoughts: $thinking) stream as the file records them', async ({ calls, thinking }) => {
    const key = `${calls}${thinking ? 't' : ''}`;
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Warm up' }, reply: { text: ['Ready.'] } },
        {
          match: { lastUserText: `Run ${key}` },
          reply: {
            ...(thinking ? { thinking: ['**Plan** run the commands'] } : {}),
            text: ['Running them.'],
            toolCalls: Array.from({ length: calls }, (_, index) => shell(`echo out${index + 1}`)),
          },
        },
        { match: { lastToolResult: { name: 'run_shell_command' } }, reply: { text: ['All ', 'ran.'] } },
      ],
    });
    const sandbox = await newSandbox(`w-parallel-${key}`);
    expect((await turn(sandbox, 'Warm up')).end.outcome).toBe('completed');
    const run = await turn(sandbox, `Run ${key}`);
    expect(architecture.warmProcesses().find((process) => process.sessionId === sandbox.sessionId)?.turns, 'served warm').toBe(1);
    expectStreamEqualsFile(run, calls);
    const types = run.parsed.map((block) => block.type);
    expect(types).toEqual([
      'user_message', 'assistant_text', ...Array(calls).fill('tool_use'), ...(thinking ? ['thinking'] : []), ...Array(calls).fill('tool_result'), 'assistant_text',
    ]);
    expect(server.unusedTurnIds()).toEqual([]);
  }, 180_000);

  it('two responses of two calls each, the second without text: its calls start a new response (the file says so)', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Warm up' }, reply: { text: ['Ready.'] } },
        { match: { lastUserText: 'Run twice' }, reply: { text: ['First two.'], toolCalls: [shell('echo out1'), shell('echo out2')] } },
        { match: { lastToolResult: { output: 'out2' } }, reply: { toolCalls: [shell('echo out3'), shell('echo out4')] } },
        { match: { lastToolResult: { output: 'out4' } }, reply: { text: ['Four ran.'] } },
      ],
    });
    const sandbox = await newSandbox('w-parallel-twice');
    expect((await turn(sandbox, 'Warm up')).end.outcome).toBe('completed');
    const run = await turn(sandbox, 'Run twice');
    expectStreamEqualsFile(run, 4);
    expect(run.parsed.map((block) => block.id.split(':').slice(1, 3).join(':'))).toEqual([
      '', '0:text', '0:tool', '0:tool', '0:result', '0:result', '1:tool', '1:tool', '1:result', '1:result', '2:text',
    ]);
    expect(server.unusedTurnIds()).toEqual([]);
  }, 180_000);
});
