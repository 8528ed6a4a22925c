import { foldAgentEvents, type AgentEvent } from '@agent-runtime/core';
import { describe, expect, it } from 'vitest';
import { createGeminiStreamReducer } from './gemini-stream-reducer.js';
import { parseGeminiStreamLine } from './gemini-stream-events.js';
import { parseGeminiSession } from './parse-gemini-session.js';
import { readFixture, replay, sessionPrefixAt, streamEvents } from './test-support/replay.js';

const runs = [
  ['text-thinking-resume', 1],
  ['text-thinking-resume', 2],
  ['tool-loop', 1],
  ['tool-loop', 2],
  ['model-error', 1],
] as const;

/** The blocks a run added: the parse of its file minus the parse of the file before it. */
function blocksOfRun(scenario: string, run: number) {
  const after = parseGeminiSession(readFixture(scenario, `run-${run}.session.jsonl`)).blocks;
  const before = run > 1 ? parseGeminiSession(readFixture(scenario, `run-${run - 1}.session.jsonl`)).blocks : [];
  return after.slice(before.length);
}

describe('createGeminiStreamReducer', () => {
  it.each(runs)('%s run %i: streamed-then-folded blocks equal the parsed session file (file ahead of the stream)', (scenario, run) => {
    const session = readFixture(scenario, `run-${run}.session.jsonl`);
    const { events } = replay(streamEvents(readFixture(scenario, `run-${run}.stream.jsonl`)), session);
    expect(foldAgentEvents(events, { strict: true }).get('main')).toEqual(blocksOfRun(scenario, run));
  });

  it.each(runs)('%s run %i: the same with the file as it was at each event (real timing)', (scenario, run) => {
    const session = readFixture(scenario, `run-${run}.session.jsonl`);
    const { events } = replay(streamEvents(readFixture(scenario, `run-${run}.stream.jsonl`)), session, (event) =>
      sessionPrefixAt(session, event),
    );
    expect(foldAgentEvents(events, { strict: true }).get('main')).toEqual(blocksOfRun(scenario, run));
  });

  it('streams text live: start, then deltas, and every block completes exactly once per change', () => {
    const session = readFixture('text-thinking-resume', 'run-1.session.jsonl');
    const { events, reads } = replay(streamEvents(readFixture('text-thinking-resume', 'run-1.stream.jsonl')), session);
    const kinds = events.map((e) => (e.type === 'block:start' ? `start:${e.block.type}` : e.type));
    expect(kinds).toEqual([
      'metadata',
      'start:user_message',
      'block:complete',
      'start:assistant_text',
      'block:delta',
      'metadata',
      'block:complete',
      'start:thinking',
      'block:complete',
    ]);
    expect(reads).toBe(2);
  });

  it('marks the tool status from tool_result before the file is read again', () => {
    const session = readFixture('tool-loop', 'run-1.session.jsonl');
    const stream = streamEvents(readFixture('tool-loop', 'run-1.stream.jsonl'));
    const reducer = createGeminiStreamReducer();
    const events: AgentEvent[] = [];
    for (const event of stream.slice(0, 9)) {
      if (reducer.needsSessionBefore(event)) events.push(...reducer.reconcile(sessionPrefixAt(session, event)));
      events.push(...reducer.push(event));
    }
    const blocks = foldAgentEvents(events, { strict: true }).get('main')!;
    const readFile = blocks.find((b) => b.type === 'tool_use' && b.toolName === 'read_file');
    expect(readFile).toMatchObject({ status: 'error' });
    expect(blocks.at(-1)).toMatchObject({ type: 'tool_result', isError: true });
  });

  it('reports the run result and usage; a model error is a result with status error', () => {
    const reducer = createGeminiStreamReducer();
    for (const event of streamEvents(readFixture('model-error', 'run-1.stream.jsonl'))) reducer.push(event);
    expect(reducer.result).toMatchObject({ status: 'error', error: { message: expect.stringContaining('500') } });
    expect(reducer.sessionId).toBe('00000000-0000-4000-8000-000000000003');
  });

  it('completes live blocks as they are when the session file is unavailable (crash / interrupt)', () => {
    const reducer = createGeminiStreamReducer();
    const lines = readFixture('tool-loop', 'run-1.stream.jsonl').split('\n').slice(0, 4);
    const events: AgentEvent[] = [];
    for (const line of lines) {
      const event = parseGeminiStreamLine(line);
      if (event) events.push(...reducer.push(event));
    }
    events.push(...reducer.finish(undefined));
    const blocks = foldAgentEvents(events, { strict: true }).get('main')!;
    expect(blocks.map((b) => b.type)).toEqual(['assistant_text', 'tool_use']);
    expect(blocks[1]).toMatchObject({ status: 'error' });
    expect(events.filter((e) => e.type === 'block:complete')).toHaveLength(2);
  });

  it('ignores lines that are not stream-json events', () => {
    expect(parseGeminiStreamLine('YOLO mode is enabled')).toBeUndefined();
    expect(parseGeminiStreamLine('{"type":"mystery"}')).toBeUndefined();
    expect(parseGeminiStreamLine('{"type":"message","role":"assistant"}')).toBeUndefined();
    expect(parseGeminiStreamLine('{"type":"tool_result","status":"success","tool_id":"x"}')).toMatchObject({ type: 'tool_result' });
  });
});
