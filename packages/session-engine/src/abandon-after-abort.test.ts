import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';
import { untilAbandoned } from './abandon-after-abort.js';

async function collect<T>(events: AsyncIterable<T>): Promise<T[]> {
  const seen: T[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

describe('untilAbandoned', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('passes every event of an agent that ends by itself, aborted or not', async () => {
    async function* agent() {
      yield 1;
      yield 2;
    }
    const abort = new AbortController();
    expect(await collect(untilAbandoned(agent(), abort.signal, systemClock, () => undefined))).toEqual([1, 2]);
    abort.abort();
    expect(await collect(untilAbandoned(agent(), abort.signal, systemClock, () => undefined))).toEqual([1, 2]);
  });

  it('gives up on an agent that ignores the abort, after the grace, and closes it', async () => {
    let closed = false;
    const hung: AsyncIterable<number> = {
      [Symbol.asyncIterator]: () => {
        let sent = false;
        return {
          next: () => (sent ? new Promise<IteratorResult<number>>(() => undefined) : ((sent = true), Promise.resolve({ value: 1, done: false }))),
          return: async () => {
            closed = true;
            return { value: undefined, done: true };
          },
        };
      },
    };
    const abort = new AbortController();
    const abandoned = vi.fn();
    const seen = collect(untilAbandoned(hung, abort.signal, systemClock, abandoned, 1_000));
    await vi.advanceTimersByTimeAsync(60_000); // not aborted: it may take as long as it likes
    expect(abandoned).not.toHaveBeenCalled();
    abort.abort();
    await vi.advanceTimersByTimeAsync(999);
    expect(abandoned).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(await seen).toEqual([1]);
    expect(abandoned).toHaveBeenCalledOnce();
    expect(closed).toBe(true);
  });
});
