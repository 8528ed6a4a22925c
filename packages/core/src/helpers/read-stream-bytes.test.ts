import { describe, expect, it } from 'vitest';
import { readStreamBytes } from './read-stream-bytes.js';

describe('readStreamBytes', () => {
  it('joins every chunk of the stream, in order', async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2]));
        controller.enqueue(new Uint8Array([]));
        controller.enqueue(new Uint8Array([3]));
        controller.close();
      },
    });
    expect([...(await readStreamBytes(stream))]).toEqual([1, 2, 3]);
  });
});
