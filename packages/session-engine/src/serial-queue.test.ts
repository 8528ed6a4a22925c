import { describe, expect, it } from 'vitest';
import { SerialQueue } from './serial-queue.js';

describe('SerialQueue', () => {
  it('runs tasks one after another in the order added, a failure not stopping the next', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = queue.run(
      () =>
        new Promise<string>((resolve) => {
          log.push('first starts');
          releaseFirst = () => {
            log.push('first ends');
            resolve('one');
          };
        }),
    );
    const second = queue.run(async () => {
      log.push('second runs');
      throw new Error('second failed');
    });
    const third = queue.run(async () => {
      log.push('third runs');
      return 'three';
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first starts']);
    releaseFirst();
    expect(await first).toBe('one');
    await expect(second).rejects.toThrow('second failed');
    expect(await third).toBe('three');
    expect(log).toEqual(['first starts', 'first ends', 'second runs', 'third runs']);
  });

  it('idle() resolves once every task added so far has settled', async () => {
    const queue = new SerialQueue();
    let done = false;
    void queue.run(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      done = true;
    });
    void queue.run(async () => {
      throw new Error('ignored by idle');
    });
    await queue.idle();
    expect(done).toBe(true);
  });
});
