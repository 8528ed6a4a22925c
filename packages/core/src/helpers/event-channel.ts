/**
 * A single-consumer async queue: producers `push`, one consumer pulls (`for await`, or `drain()`)
 * until `close()` and the queue is empty. Items pushed after `close` are dropped (they would come
 * after the end). The queue of the agent packages: a turn's event stream, and the streaming input
 * of a long-lived Claude SDK query.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private closed = false;

  push(...items: T[]): void {
    if (this.closed || items.length === 0) return;
    this.items.push(...items);
    this.wake();
  }

  close(): void {
    this.closed = true;
    this.wake();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift() as T;
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.drain();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
