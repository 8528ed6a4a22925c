/** Splits a byte stream into text lines (without the newline); the last unterminated line too. */
export async function* streamLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  const reader = stream.getReader();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        yield buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    }
    buffer += decoder.decode();
    if (buffer !== '') yield buffer;
  } finally {
    reader.releaseLock();
  }
}

/** Reads a byte stream to its end, keeping only the last `limit` characters. */
export async function readTail(stream: ReadableStream<Uint8Array>, limit = 4000): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  try {
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
      text += decoder.decode(chunk, { stream: true });
      if (text.length > limit * 2) text = text.slice(-limit);
    }
  } catch {
    // the process died; keep what we have
  }
  return text.slice(-limit);
}
