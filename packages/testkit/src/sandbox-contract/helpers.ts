import type { Sandbox, SandboxExecOptions } from '@agent-runtime/core';
import { readStreamBytes } from '@agent-runtime/core/helpers';
import { expect } from 'vitest';

export async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await readStreamBytes(stream));
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion, reading both streams concurrently. */
export async function run(sandbox: Sandbox, command: string[], options?: SandboxExecOptions): Promise<RunResult> {
  const process = await sandbox.exec(command, options);
  const [stdout, stderr, code] = await Promise.all([readText(process.stdout), readText(process.stderr), process.wait()]);
  return { code, stdout, stderr };
}

/** Runs `sh -c script` and expects exit code 0. */
export async function sh(sandbox: Sandbox, script: string, options?: SandboxExecOptions): Promise<string> {
  const result = await run(sandbox, ['sh', '-c', script], options);
  expect(result.code, `sh -c ${script}\nstderr: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Polls `condition` until it holds; fails with `what` after `timeoutMs`. Asserts no timing. */
export async function eventually(condition: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
  return bytes;
}
