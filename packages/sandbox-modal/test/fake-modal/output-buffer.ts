/**
 * An append-only byte log that readers can tail from any offset, like the command router's
 * retained stdout/stderr: everything written is kept, so a reader that connects late (or the SDK
 * resuming after a retry at an offset) sees every byte exactly once.
 */
export class OutputBuffer {
  #chunks: Buffer[] = [];
  /** Start offset of each chunk, parallel to #chunks. */
  #starts: number[] = [];
  #length = 0;
  #closed = false;
  #waiters = new Set<() => void>();

  /** Total bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** True once no more bytes will arrive. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Append bytes and wake every waiting reader. Ignored after close. */
  append(data: Uint8Array): void {
    if (this.#closed || data.length === 0) return;
    this.#starts.push(this.#length);
    this.#chunks.push(Buffer.from(data));
    this.#length += data.length;
    this.#wake();
  }

  /** Mark the end of output and wake every waiting reader. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
  }

  /** Every byte written so far, as one buffer. */
  contents(): Buffer {
    return Buffer.concat(this.#chunks, this.#length);
  }

  /** Bytes from `offset`, at most `maxBytes` of them (fewer if less is available). */
  read(offset: number, maxBytes: number): Buffer {
    if (offset >= this.#length) return Buffer.alloc(0);
    let index = this.#chunkIndexAt(offset);
    const parts: Buffer[] = [];
    let taken = 0;
    let position = offset;
    while (index < this.#chunks.length && taken < maxBytes) {
      const chunk = this.#chunks[index]!;
      const within = position - this.#starts[index]!;
      const part = chunk.subarray(within, within + (maxBytes - taken));
      parts.push(part);
      taken += part.length;
      position += part.length;
      index += 1;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, taken);
  }

  /**
   * Yield everything from `offset` on, in pieces of at most `maxBytes`, until the buffer is closed
   * and drained or `signal` aborts.
   */
  async *tail(offset: number, maxBytes: number, signal: AbortSignal): AsyncGenerator<Buffer> {
    let position = offset;
    while (!signal.aborted) {
      if (position < this.#length) {
        const piece = this.read(position, maxBytes);
        position += piece.length;
        yield piece;
        continue;
      }
      if (this.#closed) return;
      await this.#nextChange(signal);
    }
  }

  #chunkIndexAt(offset: number): number {
    let low = 0;
    let high = this.#starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.#starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  #nextChange(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
