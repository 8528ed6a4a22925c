import type { Readable, Writable } from 'node:stream';

/** Unread output above this many bytes pauses the pipe (the process then blocks on write). */
const OUTPUT_HIGH_WATER_MARK = 4 * 1024 * 1024;

/**
 * A web stream over a child's stdout/stderr with backpressure. `cancel()` keeps draining the pipe
 * and discards the data, so a process writing to a stream nobody wants neither blocks nor gets EPIPE.
 */
export function readableFromNode(stream: Readable): ReadableStream<Uint8Array> {
  let finished = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        stream.on('data', (chunk: Buffer) => {
          if (finished) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 1) <= 0) stream.pause();
        });
        stream.once('end', () => {
          if (finished) return;
          finished = true;
          controller.close();
        });
        stream.once('error', (error) => {
          if (finished) return;
          finished = true;
          controller.error(error);
        });
      },
      pull() {
        stream.resume();
      },
      cancel() {
        finished = true;
        stream.resume();
      },
    },
    { highWaterMark: OUTPUT_HIGH_WATER_MARK, size: (chunk) => chunk.byteLength },
  );
}

/** A web stream over a child's stdin; `close()` ends it, `abort()` destroys it. */
export function writableFromNode(stream: Writable): WritableStream<Uint8Array> {
  stream.on('error', () => {
    // EPIPE once the process is gone: reported through the pending write instead.
  });
  return new WritableStream<Uint8Array>({
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        stream.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    close() {
      return new Promise<void>((resolve) => stream.end(() => resolve()));
    },
    abort() {
      stream.destroy();
    },
  });
}
