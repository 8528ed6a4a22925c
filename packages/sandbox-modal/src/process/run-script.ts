import type { Sandbox as ModalSandboxHandle } from 'modal';
import { readStreamBytes } from '@agent-runtime/core/helpers';
import { closeQuietly } from './streams.js';

export interface ScriptResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

export interface ScriptOptions {
  /** In-sandbox working directory (the path Modal's API takes). */
  workdir: string;
  /** Bytes for stdin (one buffer or several, written in order); stdin is closed at once when absent. */
  input?: Uint8Array | readonly Uint8Array[];
}

const STDIN_CHUNK = 1024 * 1024;

/** The parts as chunks of at most `size` bytes (small parts joined, large ones split). */
function* coalesce(parts: readonly Uint8Array[], size: number): Generator<Uint8Array> {
  let buffer = new Uint8Array(size);
  let used = 0;
  for (const part of parts) {
    for (let offset = 0; offset < part.byteLength; ) {
      const take = Math.min(size - used, part.byteLength - offset);
      buffer.set(part.subarray(offset, offset + take), used);
      used += take;
      offset += take;
      if (used === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        used = 0;
      }
    }
  }
  if (used > 0) yield buffer.subarray(0, used);
}

/** Runs `sh -c script sh ...args` to completion and collects its output. */
export async function runScript(handle: ModalSandboxHandle, script: string, args: string[], options: ScriptOptions): Promise<ScriptResult> {
  const process = await handle.exec(['sh', '-c', script, 'sh', ...args], { mode: 'binary', workdir: options.workdir });
  const feed = (async () => {
    const parts = options.input === undefined ? [] : options.input instanceof Uint8Array ? [options.input] : options.input;
    if (parts.some((part) => part.byteLength > 0)) {
      // Each write is one RPC: coalesce small parts into chunks of up to STDIN_CHUNK.
      const writer = process.stdin.getWriter();
      for (const chunk of coalesce(parts, STDIN_CHUNK)) await writer.write(chunk);
      await writer.close();
    } else {
      await closeQuietly(process.stdin);
    }
  })();
  const [stdout, stderr, code] = await Promise.all([readStreamBytes(process.stdout), readStreamBytes(process.stderr), process.wait(), feed]);
  return { code, stdout, stderr: new TextDecoder().decode(stderr) };
}
