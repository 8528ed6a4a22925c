import type { Sandbox as ModalSandboxHandle } from 'modal';
import { closeQuietly, readAll } from './streams.js';

export interface ScriptResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

export interface ScriptOptions {
  /** In-sandbox working directory (the path Modal's API takes). */
  workdir: string;
  /** Bytes for stdin; stdin is closed at once when absent. */
  input?: Uint8Array;
}

const STDIN_CHUNK = 1024 * 1024;

/** Runs `sh -c script sh ...args` to completion and collects its output. */
export async function runScript(handle: ModalSandboxHandle, script: string, args: string[], options: ScriptOptions): Promise<ScriptResult> {
  const process = await handle.exec(['sh', '-c', script, 'sh', ...args], { mode: 'binary', workdir: options.workdir });
  const feed = (async () => {
    if (options.input && options.input.byteLength > 0) {
      const writer = process.stdin.getWriter();
      for (let offset = 0; offset < options.input.byteLength; offset += STDIN_CHUNK) {
        await writer.write(options.input.subarray(offset, offset + STDIN_CHUNK));
      }
      await writer.close();
    } else {
      await closeQuietly(process.stdin);
    }
  })();
  const [stdout, stderr, code] = await Promise.all([readAll(process.stdout), readAll(process.stderr), process.wait(), feed]);
  return { code, stdout, stderr: new TextDecoder().decode(stderr) };
}
