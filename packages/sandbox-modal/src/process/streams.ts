/** Closes a writable stream, ignoring a stream that is already closed or errored. */
export async function closeQuietly(stream: WritableStream<Uint8Array>): Promise<void> {
  try {
    await stream.close();
  } catch {
    // already closed, or the process is gone
  }
}

/** A copy of `source` that ends (closes) when `ended` resolves, even if the source never does. */
export function endWhen(source: ReadableStream<Uint8Array>, ended: Promise<void>): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const stop = ended.then(() => ({ done: true as const, value: undefined }));
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await Promise.race([reader.read(), stop]);
      if (next.done) {
        controller.close();
        reader.cancel().catch(() => undefined);
      } else {
        controller.enqueue(next.value);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}
