import { foldAgentEvents, type AgentEvent } from '@agent-runtime/core';
import { describe, expect, it } from 'vitest';
import { createGeminiStreamReducer } from './gemini-stream-reducer.js';
import type { GeminiStreamEvent } from './gemini-stream-events.js';
import { parseGeminiSession } from './parse-gemini-session.js';

/**
 * `toolCallsOneAtATime` (warm mode, `gemini --acp`): the CLI runs a response's calls one at a time
 * and records each call in the response's record once it has ended. The session file below is
 * written the way Gemini CLI 0.61.0 writes it over a prompt with three responses: text, a thought
 * and calls A and B; no text and call C; then text. `lines` is how much of it exists at each event.
 */
const at = '2026-12-01T10:00:00.000Z';
const call = (id: string, output: string) => ({
  id, name: 'run_shell_command', args: { command: `echo ${output}` }, status: 'success', timestamp: at,
  result: [{ functionResponse: { id, name: 'run_shell_command', response: { output } } }],
});
const first = { id: 'r0', timestamp: at, type: 'gemini', content: 'Two calls.', model: 'm', thoughts: [{ subject: 'Plan', description: 'run both', timestamp: at }] };
const second = { id: 'r1', timestamp: at, type: 'gemini', content: '', model: 'm' };
const file = [
  { sessionId: 's', projectHash: 'h', startTime: at, lastUpdated: at, kind: 'main' },
  { id: 'p', timestamp: at, type: 'user', content: [{ text: 'Run them' }] },
  first,
  { ...first, toolCalls: [call('A', 'a')] },
  { ...first, toolCalls: [call('A', 'a'), call('B', 'b')] },
  second,
  { ...second, toolCalls: [call('C', 'c')] },
  { id: 'r2', timestamp: at, type: 'gemini', content: 'Done.', model: 'm' },
].map((line) => JSON.stringify(line));
const sessionOf = (lines: number) => `${file.slice(0, lines).join('\n')}\n`;

const use = (id: string): GeminiStreamEvent => ({ type: 'tool_use', tool_name: 'run_shell_command', tool_id: id, parameters: { command: `echo ${id.toLowerCase()}` } });
const result = (id: string): GeminiStreamEvent => ({ type: 'tool_result', tool_id: id, status: 'success', output: id.toLowerCase() });
const stream: Array<[GeminiStreamEvent, number]> = [
  [{ type: 'init', model: 'm' }, 1],
  [{ type: 'message', role: 'user', content: 'Run them' }, 2],
  [{ type: 'message', role: 'assistant', content: 'Two calls.', delta: true }, 2],
  [use('A'), 3],
  [result('A'), 3],
  [use('B'), 4],
  [result('B'), 4],
  [use('C'), 6],
  [result('C'), 6],
  [{ type: 'message', role: 'assistant', content: 'Done.', delta: true }, 7],
];

function run(sessionAt: (lines: number) => string): { events: AgentEvent[]; reads: number } {
  const reducer = createGeminiStreamReducer({ toolCallsOneAtATime: true });
  const events: AgentEvent[] = [];
  let reads = 0;
  for (const [event, lines] of stream) {
    if (reducer.needsSessionBefore(event)) {
      reads += 1;
      events.push(...reducer.reconcile(sessionAt(lines)));
    }
    events.push(...reducer.push(event));
  }
  events.push(...reducer.finish(sessionOf(file.length)));
  return { events, reads };
}

const starts = (events: AgentEvent[]) => events.flatMap((event) => (event.type === 'block:start' ? [event.block.id] : []));

describe('createGeminiStreamReducer({ toolCallsOneAtATime: true })', () => {
  const parsed = parseGeminiSession(sessionOf(file.length)).blocks;

  it.each([
    ['the file as it was at each event', sessionOf],
    ['a file ahead of the stream', () => sessionOf(file.length)],
  ])('with %s: folded blocks equal the parsed file, each started once, in file order', (_, sessionAt) => {
    const { events } = run(sessionAt);
    expect(parsed.map((block) => block.id)).toEqual([
      'p', 'p:0:text', 'p:0:tool:A', 'p:0:tool:B', 'p:0:thought:0', 'p:0:result:A', 'p:0:result:B', 'p:1:tool:C', 'p:1:result:C', 'p:2:text',
    ]);
    expect(starts(events)).toEqual(parsed.map((block) => block.id));
    expect(foldAgentEvents(events, { strict: true }).get('main')).toEqual(parsed);
  });

  it('marks a tool done at its result and starts the results once the response is over', () => {
    const { events, reads } = run(sessionOf);
    const kinds = events.flatMap((event) => {
      if (event.type === 'block:start') return [`start ${event.block.id}`];
      if (event.type === 'block:update') return [`update ${event.blockId}`];
      return [];
    });
    expect(kinds.slice(0, 9)).toEqual([
      'start p', 'start p:0:text', 'start p:0:tool:A', 'update p:0:tool:A', 'start p:0:tool:B', 'update p:0:tool:B',
      'start p:0:thought:0', 'start p:0:result:A', 'start p:0:result:B',
    ]);
    // The prompt id (first model event), then one read per model event after a result.
    expect(reads).toBe(4);
  });

  it('without a session file, a tool use after a result starts a new response, and results are not lost', () => {
    const reducer = createGeminiStreamReducer({ toolCallsOneAtATime: true });
    const events = stream.flatMap(([event]) => reducer.push(event));
    events.push(...reducer.finish(undefined));
    expect(starts(events)).toEqual(['run-unknown:0:text', 'run-unknown:0:tool:A', 'run-unknown:0:result:A', 'run-unknown:1:tool:B', 'run-unknown:1:result:B', 'run-unknown:2:tool:C', 'run-unknown:2:result:C', 'run-unknown:3:text']);
  });
});
