import { foldAgentEvents, type AgentArchitecture, type AgentEvent, type AgentProfile, type Sandbox, type UserMessageContent } from '@agent-runtime/core';
import { expect } from 'vitest';

export type TurnEnd = Extract<AgentEvent, { type: 'turn:end' }>;

export interface TurnRunOptions {
  signal?: AbortSignal;
  onEvent?(event: AgentEvent): void;
}

/** Runs one turn to its end and collects every event it yields. */
export async function runTurn(
  architecture: AgentArchitecture,
  sandbox: Sandbox,
  profile: AgentProfile,
  message: UserMessageContent,
  options: TurnRunOptions = {},
): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of architecture.runTurn({
    sessionId: sandbox.sessionId,
    sandbox,
    profile,
    message,
    turnId: `contract-turn-${Math.random().toString(36).slice(2, 10)}`,
    signal: options.signal ?? new AbortController().signal,
  })) {
    events.push(event);
    options.onEvent?.(event);
  }
  return events;
}

/** Exactly one `turn:end`, and it is the last event; returns it. */
export function expectSingleEnd(events: AgentEvent[]): TurnEnd {
  const ends = events.filter((event): event is TurnEnd => event.type === 'turn:end');
  expect(ends, `expected exactly one turn:end, got ${ends.length}`).toHaveLength(1);
  expect(events.at(-1), 'turn:end must be the last event').toBe(ends[0]);
  return ends[0]!;
}

/** The folded stream equals the blocks parsed from the transcripts, per conversation; returns the parse. */
export async function expectStreamEqualsTranscripts(architecture: AgentArchitecture, sandbox: Sandbox, events: AgentEvent[]) {
  const parsed = architecture.parseTranscripts(await architecture.readTranscripts(sandbox, sandbox.sessionId));
  const folded = foldAgentEvents(events);
  expect(folded.get('main'), 'streamed main conversation == parsed transcripts').toEqual(parsed.main);
  for (const subagent of parsed.subagents) expect(folded.get(subagent.id), `subagent ${subagent.id}`).toEqual(subagent.blocks);
  expect([...folded.keys()].sort()).toEqual(['main', ...parsed.subagents.map((subagent) => subagent.id)].sort());
  return parsed;
}

export const randomId = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
