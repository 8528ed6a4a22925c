import { AgentRuntimeError } from '@agent-runtime/core';
import { matchesTurn } from './match-turn.js';
import type { RequestView } from './request-view.js';
import type { Scenario, ScenarioTurn, ScriptedError, ScriptedReply } from './scenario.js';

/** What the server answers a generation request with, and which turn decided it. */
export type Decision =
  | { kind: 'reply'; turnId: string; reply: ScriptedReply }
  | { kind: 'error'; turnId: string; error: ScriptedError };

/** `turnId` of answers that came from `Scenario.fallback`. */
export const FALLBACK_TURN_ID = 'fallback';
/** `turnId` of the HTTP 500 sent once a scenario's request cap is reached. */
export const REQUEST_LIMIT_TURN_ID = 'request-limit';

interface TurnState {
  turn: ScenarioTurn;
  id: string;
  errorsSent: number;
  repliesSent: number;
}

function errorBudget(turn: ScenarioTurn): number {
  if (turn.error === undefined) return 0;
  return turn.error.times ?? (turn.reply === undefined ? Number.POSITIVE_INFINITY : 1);
}

function replyBudget(turn: ScenarioTurn): number {
  if (turn.reply === undefined) return 0;
  return turn.times === 'always' ? Number.POSITIVE_INFINITY : (turn.times ?? 1);
}

/** Throws a coded error for a scenario that cannot work (so a typo fails loudly, not as a hang). */
export function validateScenario(scenario: Scenario): void {
  if (typeof scenario !== 'object' || scenario === null || !Array.isArray(scenario.turns)) {
    throw new AgentRuntimeError('INVALID_INPUT', 'A scenario needs a `turns` array.');
  }
  const ids = new Set<string>();
  scenario.turns.forEach((turn, index) => {
    const id = turn.id ?? `turn-${index}`;
    if (ids.has(id)) throw new AgentRuntimeError('INVALID_INPUT', `Scenario turn id "${id}" is used twice.`, { details: { index } });
    ids.add(id);
    if (turn.reply === undefined && turn.error === undefined) {
      throw new AgentRuntimeError('INVALID_INPUT', `Scenario turn "${id}" needs a \`reply\` or an \`error\`.`, { details: { index } });
    }
    const times = turn.times;
    if (times !== undefined && times !== 'always' && !(Number.isInteger(times) && times > 0)) {
      throw new AgentRuntimeError('INVALID_INPUT', `Scenario turn "${id}": \`times\` must be a positive integer or 'always'.`, { details: { index } });
    }
  });
}

/**
 * Plays a scenario: for each request, the first turn whose match holds and which has answers
 * left; otherwise the fallback; past the request cap, an HTTP 500. State is per scenario.
 */
export class ScenarioPlayer {
  private readonly states: TurnState[];
  private answered = 0;

  constructor(
    readonly scenario: Scenario,
    private readonly defaultMaxRequests: number,
  ) {
    validateScenario(scenario);
    this.states = scenario.turns.map((turn, index) => ({ turn, id: turn.id ?? `turn-${index}`, errorsSent: 0, repliesSent: 0 }));
  }

  /** Generation requests answered so far under this scenario. */
  get requestCount(): number {
    return this.answered;
  }

  /** Ids of turns that can still answer (e.g. to assert a scenario was played to the end). */
  unusedTurnIds(): string[] {
    return this.states
      .filter((state) => state.turn.times !== 'always' && state.errorsSent + state.repliesSent === 0)
      .map((state) => state.id);
  }

  /** Decides the answer to one request and counts it. */
  decide(view: RequestView): Decision {
    this.answered += 1;
    const limit = this.scenario.maxRequests ?? this.defaultMaxRequests;
    if (this.answered > limit) {
      const name = this.scenario.name === undefined ? '' : ` "${this.scenario.name}"`;
      return {
        kind: 'error',
        turnId: REQUEST_LIMIT_TURN_ID,
        error: {
          status: 500,
          type: 'api_error',
          message: `testkit model server: scenario${name} reached its limit of ${limit} requests; the agent is probably looping (inspect server.requests).`,
        },
      };
    }
    for (const state of this.states) {
      if (!matchesTurn(state.turn.match, view)) continue;
      if (state.errorsSent < errorBudget(state.turn)) {
        state.errorsSent += 1;
        return { kind: 'error', turnId: state.id, error: state.turn.error! };
      }
      if (state.repliesSent < replyBudget(state.turn)) {
        state.repliesSent += 1;
        return { kind: 'reply', turnId: state.id, reply: state.turn.reply! };
      }
    }
    return { kind: 'reply', turnId: FALLBACK_TURN_ID, reply: this.scenario.fallback ?? { text: 'ok' } };
  }
}
