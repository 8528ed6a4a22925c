import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hasErrorCode, noopLogger, type QueuedTurn } from '@agent-runtime/core';
import { systemClock } from './clock.js';
import { MemoryTurnQueueStore } from './durability/memory-turn-queue-store.js';
import { TurnQueue, type TurnContext, type TurnEnd, type TurnQueueOptions } from './turn-queue.js';

interface Recorded {
  begun: string[];
  ended: { turnId: string; end: TurnEnd; message: unknown }[];
  idle: number;
}

function setup(execute: (turn: QueuedTurn, context: TurnContext) => Promise<TurnEnd | undefined>, overrides: Partial<TurnQueueOptions> = {}) {
  const store = new MemoryTurnQueueStore();
  const recorded: Recorded = { begun: [], ended: [], idle: 0 };
  let onIdle: () => void = () => undefined;
  const queue = new TurnQueue({
    sessionId: 's1',
    store,
    clock: systemClock,
    logger: noopLogger,
    maxQueuedMessages: 2,
    begin: (_turn, turnId) => recorded.begun.push(turnId),
    execute,
    finish: async (turn, turnId, end) => {
      recorded.ended.push({ turnId, end, message: turn.request.content });
    },
    onIdle: () => {
      recorded.idle++;
      onIdle();
    },
    ...overrides,
  });
  const idle = () => new Promise<void>((resolve) => (onIdle = resolve));
  return { queue, store, recorded, idle };
}

const completed: TurnEnd = { type: 'turn:end', outcome: 'completed' };

/** An execute whose turns finish only when released, one by one. */
function gated() {
  const gates: (() => void)[] = [];
  const started: string[] = [];
  const execute = (turn: QueuedTurn) =>
    new Promise<TurnEnd>((resolve) => {
      started.push(String(turn.request.content));
      gates.push(() => resolve(completed));
    });
  const release = async () => {
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    gates.shift()!();
  };
  return { execute, release, started };
}

describe('TurnQueue', () => {
  it('runs accepted messages one at a time, in order, each with exactly one end', async () => {
    const gate = gated();
    const { queue, recorded, idle } = setup(gate.execute);
    const done = idle();
    expect(await queue.accept({ content: 'one' })).toMatchObject({ queued: false });
    expect(await queue.accept({ content: 'two' })).toMatchObject({ queued: true });
    expect(await queue.accept({ content: 'three' })).toMatchObject({ queued: true });
    for (let index = 0; index < 3; index++) await gate.release();
    await done;
    expect(gate.started).toEqual(['one', 'two', 'three']);
    expect(recorded.ended.map((entry) => entry.message)).toEqual(['one', 'two', 'three']);
    expect(recorded.ended.map((entry) => entry.turnId)).toEqual(recorded.begun);
  });

  it('acknowledges a repeated clientMessageId without queueing it again (while queued and after it ran)', async () => {
    const gate = gated();
    const { queue, recorded, idle } = setup(gate.execute);
    await queue.accept({ content: 'first', clientMessageId: 'a' });
    await queue.accept({ content: 'second', clientMessageId: 'b' });
    expect(await queue.accept({ content: 'second', clientMessageId: 'b' })).toMatchObject({ clientMessageId: 'b', queued: true });
    const done = idle();
    await gate.release();
    await gate.release();
    await done;
    expect(await queue.accept({ content: 'first', clientMessageId: 'a' })).toMatchObject({ clientMessageId: 'a', queued: false });
    await new Promise((resolve) => setImmediate(resolve));
    expect(recorded.ended.map((entry) => entry.message)).toEqual(['first', 'second']);
    expect(queue.busy).toBe(false);
  });

  it('refuses more than maxQueuedMessages waiting with TOO_MANY_QUEUED_MESSAGES, and a retry of a waiting one still passes', async () => {
    const gate = gated();
    const { queue } = setup(gate.execute);
    await queue.accept({ content: 'running' });
    while (gate.started.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await queue.accept({ content: 'w1', clientMessageId: 'w1' });
    await queue.accept({ content: 'w2' });
    const refused = await queue.accept({ content: 'w3' }).catch((error: unknown) => error);
    expect(hasErrorCode(refused, 'TOO_MANY_QUEUED_MESSAGES')).toBe(true);
    expect(await queue.accept({ content: 'w1', clientMessageId: 'w1' })).toMatchObject({ queued: true });
    const stopping = queue.stop();
    await gate.release();
    await stopping;
  });

  it('ends a turn whose execute throws with outcome error, and one interrupted with outcome interrupted', async () => {
    let calls = 0;
    const { queue, recorded, idle } = setup(async (_turn, { signal }) => {
      calls++;
      if (calls === 1) throw new Error('boom');
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      throw new Error('aborted');
    });
    const done = idle();
    await queue.accept({ content: 'fails' });
    await queue.accept({ content: 'interrupted' });
    while (calls < 2) await new Promise((resolve) => setImmediate(resolve));
    expect(queue.interrupt()).toBe(true);
    await done;
    expect(recorded.ended.map((entry) => [entry.end.outcome, entry.end.error?.code])).toEqual([
      ['error', 'AGENT_ERROR'],
      ['interrupted', 'AGENT_ERROR'],
    ]);
    expect(queue.interrupt()).toBe(false);
  });

  describe('with fake timers', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('stops a turn after turnTimeoutMs: one end with outcome timeout', async () => {
      const { queue, recorded, idle } = setup(
        (_turn, { signal }) => new Promise<TurnEnd>((resolve) => signal.addEventListener('abort', () => resolve({ type: 'turn:end', outcome: 'interrupted' }))),
        { turnTimeoutMs: 5_000 },
      );
      const done = idle();
      await queue.accept({ content: 'slow' });
      await vi.advanceTimersByTimeAsync(4_999);
      expect(recorded.ended).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await done;
      expect(recorded.ended).toHaveLength(1);
      expect(recorded.ended[0]!.end).toMatchObject({ outcome: 'timeout', error: { code: 'TURN_TIMEOUT' } });
    });

    it('does not count the time a turn waits for a person (pauseTimeout)', async () => {
      let resume: () => void = () => undefined;
      const { queue, recorded, idle } = setup(
        (_turn, { signal, pauseTimeout }) =>
          new Promise<TurnEnd>((resolve) => {
            signal.addEventListener('abort', () => resolve({ type: 'turn:end', outcome: 'interrupted' }));
            setTimeout(() => (resume = pauseTimeout()), 1_000);
          }),
        { turnTimeoutMs: 5_000 },
      );
      const done = idle();
      await queue.accept({ content: 'asks' });
      await vi.advanceTimersByTimeAsync(60_000); // paused after 1 s: no timeout
      expect(recorded.ended).toHaveLength(0);
      resume();
      await vi.advanceTimersByTimeAsync(3_999);
      expect(recorded.ended).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      await done;
      expect(recorded.ended[0]!.end).toMatchObject({ outcome: 'timeout' });
    });
  });

  it('recover: ends the turn left running by a crash once, then runs what is queued, in order', async () => {
    const store = new MemoryTurnQueueStore();
    const crashed = await store.enqueue('s1', { content: 'was running' }, new Date().toISOString());
    await store.markRunning('s1', crashed.turn.position, 'turn-before-crash');
    await store.enqueue('s1', { content: 'queued 1' }, new Date().toISOString());
    await store.enqueue('s1', { content: 'queued 2', clientMessageId: 'q2' }, new Date().toISOString());
    const ran: unknown[] = [];
    const { queue, idle } = setup(async (turn) => {
      ran.push(turn.request.content);
      return completed;
    }, { store });
    const orphans: QueuedTurn[] = [];
    const done = idle();
    await queue.recover(async (turn) => {
      orphans.push(turn);
    });
    await done;
    expect(orphans.map((turn) => turn.turnId)).toEqual(['turn-before-crash']);
    expect(ran).toEqual(['queued 1', 'queued 2']);
    expect(await store.pending('s1')).toEqual([]);
    expect((await store.enqueue('s1', { content: 'queued 2', clientMessageId: 'q2' }, '')).duplicate).toBe(true);
  });

  it('stop() keeps queued messages stored; clear() drops them', async () => {
    const gate = gated();
    const { queue, store } = setup(gate.execute);
    await queue.accept({ content: 'running' });
    await queue.accept({ content: 'waiting' });
    while (gate.started.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const stopping = queue.stop();
    await gate.release();
    await stopping;
    expect((await store.pending('s1')).map((turn) => turn.request.content)).toEqual(['waiting']);
    await queue.clear();
    expect(await store.pending('s1')).toEqual([]);
  });
  it('a message stored while the drain loop reads an empty queue still runs (no lost wake-up)', async () => {
    const { queue, store, recorded, idle } = setup(async () => completed);
    // The loop's last read of the queue is slow: the message is stored while it is in flight, so
    // that read finds nothing, and the loop is still "draining" when the message's accept looks.
    const pending = store.pending.bind(store);
    let slowReads = 0;
    store.pending = async (sessionId) => {
      const read = await pending(sessionId);
      if (recorded.ended.length === 1 && slowReads++ === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      return read;
    };
    await queue.accept({ content: 'one' });
    while (recorded.ended.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10)); // the loop now waits on its slow read
    const done = idle();
    await queue.accept({ content: 'two' });
    await done;
    expect(recorded.ended.map((entry) => entry.message)).toEqual(['one', 'two']);
  });

  it('a storage error that stops the loop is retried after a back-off: queued messages still run', async () => {
    vi.useFakeTimers();
    try {
      const { queue, store, recorded } = setup(async () => completed);
      const markRunning = store.markRunning.bind(store);
      let failures = 1;
      store.markRunning = async (...args) => {
        if (failures-- > 0) throw new Error('connection terminated unexpectedly');
        return markRunning(...args);
      };
      await queue.accept({ content: 'one' });
      await vi.advanceTimersByTimeAsync(10);
      expect(recorded.ended).toEqual([]);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(recorded.ended.map((entry) => entry.message)).toEqual(['one']);
      await queue.stop();
    } finally {
      vi.useRealTimers();
    }
  });
});
