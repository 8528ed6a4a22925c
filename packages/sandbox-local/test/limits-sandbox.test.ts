import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrorCode } from '@agent-runtime/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxProvider } from '../src/index.js';
import type { LocalSandbox } from '../src/local-sandbox.js';
import { hostPidsOfUid, run, until } from './attack-helpers.js';

// Resource attacks from inside a sandbox (issue 12, item 4): the host stays responsive.
const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-local-limits-'));
const provider = createLocalSandboxProvider({ dataDir, killGraceMs: 200, defaultLimits: { maxProcesses: 64 } });
const created: LocalSandbox[] = [];
let server: Server;
let url = '';

async function create(limits?: { maxFileSizeMiB?: number }): Promise<LocalSandbox> {
  const sandbox = await provider.create({ sessionId: `limits-${created.length}`, ...(limits ? { limits } : {}) });
  created.push(sandbox);
  return sandbox;
}

/** Round trips to a host HTTP server in this process: the runtime's own responsiveness. */
async function hostLatencies(count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    const response = await fetch(url);
    expect(await response.text()).toBe('ok');
    latencies.push(Math.round(performance.now() - started));
  }
  return latencies;
}

beforeAll(async () => {
  server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/health`;
});
afterEach(async () => {
  await Promise.all(created.splice(0).map((sandbox) => sandbox.terminate()));
});
afterAll(() => {
  server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('limits (rlimits under the sandbox uid, oom_score_adj 1000, nice 10)', () => {
  it('applies the limits to every process of the sandbox', async () => {
    const sandbox = await create();
    const result = await run(sandbox, 'cat /proc/self/limits; cat /proc/self/oom_score_adj; nice');
    expect(result.stdout).toMatch(/Max processes\s+64\s+64/);
    expect(result.stdout).toMatch(new RegExp(`Max data size\\s+${2048 * 1024 * 1024}\\s+${2048 * 1024 * 1024}`));
    expect(result.stdout).toMatch(new RegExp(`Max file size\\s+${1024 * 1024 * 1024}\\s+${1024 * 1024 * 1024}`));
    expect(result.stdout).toMatch(/Max core file size\s+0\s+0/);
    expect(result.stdout.trim().split('\n').slice(-2)).toEqual(['1000', '10']);
  });

  it('a fork bomb stays under the process limit; the host and another sandbox keep answering', async () => {
    const bombed = await create();
    const other = await create();
    // Re-armed until killed: a bomb that burns out (forks failing at the limit) starts again.
    const bomb = await bombed.exec(['sh', '-c', 'while :; do (bomb() { bomb | bomb & }; bomb) 2>/dev/null; done'], { timeoutMs: 60_000 });
    let peak = 0;
    const sample = () => (peak = Math.max(peak, hostPidsOfUid(bombed.ownerUid as number).length));
    // Wait until the bomb has hit its limit (an event we can observe: the process count).
    for (let attempt = 0; attempt < 500 && peak < 20; attempt += 1) {
      sample();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const latencies = await hostLatencies(10);
    sample();
    const started = performance.now();
    const echo = await run(other, 'echo alive');
    const otherMs = Math.round(performance.now() - started);
    sample();
    console.log(`fork bomb: peak ${peak} processes of the sandbox uid (limit 64); host /health latencies ms ${latencies.join(',')}; other sandbox's exec ${otherMs} ms`);
    expect(echo.stdout).toBe('alive\n');
    expect(peak).toBeGreaterThan(10);
    expect(peak).toBeLessThanOrEqual(64 + 2); // bwrap's own two host processes run as root
    bomb.kill('SIGKILL');
    await bomb.wait();
    await until(() => hostPidsOfUid(bombed.ownerUid as number).length === 0, 'the bomb to be gone');
  });

  it('a 2 GB memory allocation fails inside; the host keeps answering', async () => {
    const sandbox = await create();
    const before = process.memoryUsage().rss;
    const hog = run(sandbox, `python3 -c 'b = bytearray(2 * 1024 ** 3); print("allocated")'; echo "exit $?"`);
    const latencies = await hostLatencies(5);
    const result = await hog;
    console.log(`2 GB allocation: ${result.stderr.trim()} / ${result.stdout.trim()}; host /health latencies ms ${latencies.join(',')}`);
    expect(result.stderr).toContain('MemoryError');
    expect(result.stdout).toBe('exit 1\n');
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('a 1.5 GB sparse file cannot be made inside (RLIMIT_FSIZE); one made anyway is refused by readFile with maxBytes, without reading it', async () => {
    const limited = await create();
    const refused = await run(limited, 'truncate -s 1500M big.bin; echo "exit $?"; dd if=/dev/zero of=big2.bin bs=1M seek=1499 count=1 2>&1; echo "dd $?"');
    expect(refused.stdout).toMatch(/exit (153|1)\n/);
    expect(refused.stdout).not.toContain('dd 0');
    // A sandbox allowed bigger files: the runtime stats and refuses before reading.
    const roomy = await create({ maxFileSizeMiB: 2048 });
    const made = await run(roomy, 'truncate -s 1500M big.bin && ls -l big.bin');
    expect(made.code).toBe(0);
    const before = process.memoryUsage().rss;
    const started = performance.now();
    const error = await roomy.readFile('big.bin', { maxBytes: 10 * 1024 * 1024 }).catch((reason: unknown) => reason);
    const readMs = Math.round(performance.now() - started);
    const latencies = await hostLatencies(5);
    console.log(`1.5 GB sparse file: readFile(maxBytes 10 MiB) refused in ${readMs} ms; host /health latencies ms ${latencies.join(',')}`);
    expect(hasErrorCode(error, 'PAYLOAD_TOO_LARGE')).toBe(true);
    expect((error as { details?: { size?: number } }).details?.size).toBe(1500 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(50 * 1024 * 1024);
    await roomy.writeFile('small.txt', 'x'.repeat(100));
    expect((await roomy.readFile('small.txt', { maxBytes: 100 })).byteLength).toBe(100);
    expect(hasErrorCode(await roomy.readFile('small.txt', { maxBytes: 99 }).catch((reason: unknown) => reason), 'PAYLOAD_TOO_LARGE')).toBe(true);
  });
});
