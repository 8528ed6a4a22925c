import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentEvent } from '@agent-runtime/core';
import { createGeminiStreamReducer } from '../gemini-stream-reducer.js';
import { parseGeminiStreamLine, type GeminiStreamEvent } from '../gemini-stream-events.js';

const fixtureDir = join(import.meta.dirname, '..', '__fixtures__');

export function readFixture(scenario: string, file: string): string {
  return readFileSync(join(fixtureDir, scenario, file), 'utf8');
}

export function streamEvents(text: string): GeminiStreamEvent[] {
  return text.split('\n').flatMap((line) => {
    const event = parseGeminiStreamLine(line);
    return event ? [event] : [];
  });
}

/**
 * Runs the reducer the way the agent does. `sessionAt(event)` gives the session file as it is
 * when `event` is read (default: the final file, i.e. a file "ahead" of the stream).
 */
export function replay(
  stream: GeminiStreamEvent[],
  finalSession: string,
  sessionAt: (event: GeminiStreamEvent) => string = () => finalSession,
): { events: AgentEvent[]; reads: number } {
  const reducer = createGeminiStreamReducer();
  const events: AgentEvent[] = [];
  let reads = 0;
  for (const event of stream) {
    if (reducer.needsSessionBefore(event)) {
      reads += 1;
      events.push(...reducer.reconcile(sessionAt(event)));
    }
    events.push(...reducer.push(event));
  }
  events.push(...reducer.finish(finalSession));
  return { events, reads: reads + 1 };
}

const isoPattern = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"/g;

/**
 * The session file as it was when the CLI printed `event`: the lines written before the event's
 * timestamp (a line's write time is the latest timestamp in it). Approximates the real timing.
 */
export function sessionPrefixAt(session: string, event: GeminiStreamEvent): string {
  const limit = event.timestamp ?? '9999';
  const lines = session.split('\n');
  const kept: string[] = [];
  for (const line of lines) {
    let latest = '';
    for (const match of line.matchAll(isoPattern)) if (match[1]! > latest) latest = match[1]!;
    if (latest > limit) break;
    kept.push(line);
  }
  return kept.join('\n') + '\n';
}
