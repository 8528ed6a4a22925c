import type { ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarmGeminiHarness, type WarmTurnRun } from './warm-gemini-test-harness.js';

/**
 * Live streaming in warm mode with the real Gemini CLI 0.61.0: a reply the model server sends in
 * several chunks (with `chunkDelayMs`) arrives as `block:delta`s before the turn ends, on a first
 * turn and on a turn after an interrupt, and the folded stream equals the parsed session file.
 */
const harness = new WarmGeminiHarness();
const { newSandbox, turn } = harness;
let server: ModelServer;

beforeAll(async () => {
  ({ server } = await harness.start());
});

afterAll(() => harness.stop());

const chunks = ['Alpha ', 'beta ', 'gamma ', 'delta ', 'epsilon.'];

/** Several deltas, the first well before the end (the chunks are 400 ms apart). */
function expectLiveDeltas(run: WarmTurnRun): void {
  expect(run.deltaMs.length, 'one delta per chunk or more').toBeGreaterThanOrEqual(3);
  expect(run.endMs - run.deltaMs[0]!, 'the first delta comes well before the turn ends').toBeGreaterThan(1_000);
  expect(run.streamed).toEqual(run.parsed);
  expect(run.parsed.find((block) => block.type === 'assistant_text')).toMatchObject({ content: chunks.join('') });
}

describe('gemini-cli warm mode streams text as deltas (real CLI)', () => {
  it('a first turn and a turn after an interrupt both stream their reply chunk by chunk', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Stream one' }, reply: { text: chunks, chunkDelayMs: 400 } },
        { match: { lastUserText: 'Slow' }, reply: { text: Array.from({ length: 30 }, (_, index) => `slow${index} `), chunkDelayMs: 300 } },
        { match: { lastUserText: 'Stream two' }, reply: { text: chunks, chunkDelayMs: 400 } },
      ],
    });
    const sandbox = await newSandbox('w-stream');
    const first = await turn(sandbox, 'Stream one');
    expect(first.end.outcome).toBe('completed');
    expectLiveDeltas(first);
    const controller = new AbortController();
    const slow = await turn(sandbox, 'Slow', {
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'block:delta') controller.abort();
      },
    });
    expect(slow.end.outcome).toBe('interrupted');
    const after = await turn(sandbox, 'Stream two');
    expect(after.end.outcome).toBe('completed');
    console.log('delta ms after interrupt (loaded machine):', after.deltaMs.map(Math.round), 'end', Math.round(after.endMs));
    expectLiveDeltas(after);
  }, 180_000);

  it("shows a response's thoughts once its tool calls are done, before their results (the file's order)", async () => {
    // The CLI runs a response's calls one at a time and does not say how many there are, and the
    // file places thoughts after all of them: the thinking block waits for the response's end.
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Warm up' }, reply: { text: ['Ready.'] } },
        {
          match: { lastUserText: 'Think, then run' },
          reply: { thinking: ['**Plan** run the command'], text: ['Running.'], toolCalls: [{ name: 'run_shell_command', input: { command: 'echo went' } }] },
        },
        { match: { lastToolResult: { name: 'run_shell_command' } }, reply: { text: ['Went.'] } },
      ],
    });
    const sandbox = await newSandbox('w-thoughts');
    expect((await turn(sandbox, 'Warm up')).end.outcome).toBe('completed');
    const order: string[] = [];
    const run = await turn(sandbox, 'Think, then run', {
      onEvent: (event) => {
        if (event.type === 'block:start') order.push(event.block.type);
        if (event.type === 'block:update' && 'status' in event.updates) order.push(`status:${String(event.updates.status)}`);
      },
    });
    expect(run.end.outcome).toBe('completed');
    expect(order).toEqual(['user_message', 'assistant_text', 'tool_use', 'status:success', 'thinking', 'tool_result', 'assistant_text']);
    expect(run.streamed).toEqual(run.parsed);
    expect(run.parsed.find((block) => block.type === 'thinking')).toMatchObject({ summary: 'Plan', content: 'run the command' });
  }, 180_000);
});
