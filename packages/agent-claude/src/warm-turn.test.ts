import type { AgentEvent, Sandbox } from '@agent-runtime/core';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WarmTurn } from './warm-turn.js';

const sandbox = { isRunning: async () => true, readFile: async () => new Uint8Array() } as unknown as Sandbox;
const result = (totalCostUsd: number) => ({ type: 'result', subtype: 'success', is_error: false, result: 'ok', total_cost_usd: totalCostUsd, usage: {} }) as unknown as SDKMessage;
const system = (fields: Record<string, unknown>) => ({ type: 'system', ...fields }) as unknown as SDKMessage;

async function drain(turn: WarmTurn): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of turn.channel.drain()) events.push(event);
  return events;
}

describe('WarmTurn', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports the cost a turn added, not the running total of the process', async () => {
    const cost = { totalUsd: 0 };
    const costs: number[] = [];
    for (const total of [0.01, 0.03]) {
      const turn = new WarmTurn(sandbox, (id) => id, 250, cost);
      expect(await turn.handle(result(total))).toBe(true);
      await turn.finish(undefined, '');
      for (const event of await drain(turn)) if (event.type === 'metadata' && event.costUsd !== undefined) costs.push(event.costUsd);
    }
    expect(costs.map((value) => value.toFixed(2))).toEqual(['0.01', '0.02']);
  });

  it('with state events, ends at idle after a result (a background notification turn included)', async () => {
    const turn = new WarmTurn(sandbox, (id) => id, 250, { totalUsd: 0 });
    expect(await turn.handle(system({ subtype: 'session_state_changed', state: 'running' }))).toBe(false);
    expect(await turn.handle(result(0))).toBe(false);
    expect(await turn.handle(result(0))).toBe(false);
    expect(await turn.handle(system({ subtype: 'session_state_changed', state: 'idle' }))).toBe(true);
    await turn.finish(undefined, '');
    expect((await drain(turn)).filter((event) => event.type === 'turn:end')).toEqual([expect.objectContaining({ outcome: 'completed' })]);
  });

  it('an interrupted turn ends at idle even without a result', async () => {
    const turn = new WarmTurn(sandbox, (id) => id, 250, { totalUsd: 0 });
    expect(await turn.handle(system({ subtype: 'session_state_changed', state: 'running' }))).toBe(false);
    turn.interrupted = true;
    expect(await turn.handle(system({ subtype: 'session_state_changed', state: 'idle' }))).toBe(true);
    await turn.finish(undefined, '');
    expect((await drain(turn)).filter((event) => event.type === 'turn:end')).toEqual([{ type: 'turn:end', outcome: 'interrupted' }]);
  });

  it('without state events, waits at a result for running background tasks', async () => {
    const turn = new WarmTurn(sandbox, (id) => id, 250, { totalUsd: 0 });
    await turn.handle(system({ subtype: 'task_started', task_id: 't1', description: 'bg' }));
    expect(await turn.handle(result(0))).toBe(false);
    await turn.handle(system({ subtype: 'task_notification', task_id: 't1', status: 'completed', output_file: '', summary: '' }));
    expect(await turn.handle(result(0))).toBe(true);
    await turn.finish(undefined, '');
  });

  it('a process failure under the turn gives one error turn:end', async () => {
    const turn = new WarmTurn(sandbox, (id) => id, 250, { totalUsd: 0 });
    await turn.finish({ code: 'AGENT_ERROR', message: 'Claude Code exited during the turn.' }, '');
    await turn.finish(undefined, '');
    expect((await drain(turn)).filter((event) => event.type === 'turn:end')).toEqual([
      { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: 'Claude Code exited during the turn.' } },
    ]);
  });
});
