import { describe, expect, it } from 'vitest';
import { EventChannel } from './event-channel.js';

describe('EventChannel', () => {
  it('yields pushed items in order to a waiting consumer, then ends after close', async () => {
    const channel = new EventChannel<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const item of channel) seen.push(item);
    })();
    channel.push(1, 2);
    await Promise.resolve();
    channel.push();
    channel.push(3);
    channel.close();
    await consumer;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('drain() gives what was queued before close; items pushed after close are dropped', async () => {
    const channel = new EventChannel<string>();
    channel.push('a', 'b');
    channel.close();
    channel.push('late');
    const seen: string[] = [];
    for await (const item of channel.drain()) seen.push(item);
    expect(seen).toEqual(['a', 'b']);
  });
});
