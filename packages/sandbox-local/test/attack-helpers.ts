import { readFileSync, readdirSync } from 'node:fs';
import type { LocalSandbox } from '../src/local-sandbox.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a shell script in the sandbox and collects its output. */
export async function run(sandbox: LocalSandbox, script: string, options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
  const child = await sandbox.exec(['sh', '-c', script], {
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.wait()]);
  return { code, stdout, stderr };
}

/** A Node one-liner run inside the sandbox (Node is visible read-only there). */
export function node(source: string): string {
  return `node -e ${JSON.stringify(source).replace(/\$/g, '\\$')}`;
}

/** Node source that connects to `host:port` (or an abstract unix socket) and prints CONNECTED or the error code. */
export function connectProbe(target: { host: string; port: number } | { abstract: string }): string {
  const address = 'abstract' in target ? `{ path: '\\0${target.abstract}' }` : `{ host: '${target.host}', port: ${target.port} }`;
  return node(
    `const s = require('net').connect(${address}); s.setTimeout(5000); ` +
      `s.on('connect', () => { console.log('CONNECTED'); process.exit(0); }); ` +
      `s.on('timeout', () => { console.log('TIMEOUT'); process.exit(0); }); ` +
      `s.on('error', (e) => { console.log('ERROR ' + e.code); process.exit(0); });`,
  );
}

/** Host pids of processes owned by `uid`. */
export function hostPidsOfUid(uid: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const line = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
      if (line && Number(line[1]) === uid) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Host pids whose command line is exactly `marker` (arguments joined by spaces). */
export function hostPidsWith(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') === marker) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Resolves once `condition()` holds, checking after each `tick` (an event source), failing after `limit` checks. */
export async function until(condition: () => boolean, what: string, limit = 500): Promise<void> {
  for (let attempt = 0; attempt < limit; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
