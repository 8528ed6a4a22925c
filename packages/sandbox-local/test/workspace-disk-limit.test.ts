import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, hasErrorCode } from '@agent-runtime/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandboxProvider } from '../src/index.js';
import type { LocalSandbox } from '../src/local-sandbox.js';
import { run, until } from './attack-helpers.js';

// Issue 12 item 4: the workspace disk cap (limits.workspaceMiB), enforced by the runtime.
const MiB = 1024 * 1024;
const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-local-disk-'));
const logged: { level: string; fields: Record<string, unknown>; message: string }[] = [];
const record = (level: string) => (fields: unknown, message?: string) => logged.push({ level, fields: fields as Record<string, unknown>, message: message ?? '' });
const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } as unknown as Logger;
const provider = createLocalSandboxProvider({ dataDir, killGraceMs: 200, logger, defaultLimits: { workspaceMiB: 8 } });
let server: Server;
let url = '';

beforeAll(async () => {
  server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/health`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('workspace disk limit (real bwrap sandbox)', () => {
  it('kills a process writing past the cap, keeps its files, refuses runtime writes until the workspace shrinks', async () => {
    const sandbox: LocalSandbox = await provider.create({ sessionId: 'disk-1', limits: { workspaceMiB: 4 } });
    try {
      expect(sandbox.diskUsage.capBytes).toBe(4 * MiB);
      await sandbox.writeFile('small.txt', 'kept');
      // Writes 1 MiB files as fast as it can, forever (each below RLIMIT_FSIZE): only the disk cap stops it.
      const writer = await sandbox.exec(['sh', '-c', 'i=0; while true; do head -c 1048576 /dev/zero > big-$i; i=$((i+1)); done']);
      const started = performance.now();
      const code = await writer.wait();
      expect(await (await fetch(url)).text()).toBe('ok');
      const health = performance.now();
      await fetch(url).then((response) => response.text());
      console.log(
        `disk cap 4 MiB: writer killed after ${Math.round(health - started)} ms (exit ${code}), ` +
          `${(sandbox.diskUsage.usedBytes / MiB).toFixed(1)} MiB written; /health ${Math.round(performance.now() - health)} ms`,
      );
      expect(code).toBe(137);
      expect(writer.stopError).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'workspaceMiB' } });
      expect(sandbox.limitError).toMatchObject({ code: 'LIMIT_EXCEEDED', details: { limit: 'workspaceMiB', capBytes: 4 * MiB } });
      const event = logged.find((entry) => entry.level === 'error' && entry.fields.code === 'LIMIT_EXCEEDED');
      expect(event?.fields).toMatchObject({ sandboxId: sandbox.id, capBytes: 4 * MiB, killed: 1 });

      // Files already stored are not touched; the runtime's writes are refused with the same code.
      expect(new TextDecoder().decode(await sandbox.readFile('small.txt'))).toBe('kept');
      const refused = await sandbox.writeFile('more.txt', 'x').catch((error: unknown) => error);
      expect(hasErrorCode(refused, 'LIMIT_EXCEEDED')).toBe(true);
      await sandbox.writeFile('note.txt', 'home is not the workspace', { root: 'home' });

      // Once the workspace shrinks, writes are accepted again and processes run.
      const files = await sandbox.listFiles();
      for (const file of files.filter((entry) => entry.path.startsWith('big-'))) await sandbox.deleteFile(file.path);
      await until(() => sandbox.diskUsage.usedBytes < 4 * MiB, 'the workspace to shrink');
      expect(sandbox.limitError).toBeUndefined();
      await sandbox.writeFile('more.txt', 'x');
      expect((await run(sandbox, 'cat small.txt more.txt')).stdout).toBe('keptx');
    } finally {
      await sandbox.terminate();
    }
  });

  it('counts allocated blocks: a sparse file far above the cap by size is allowed', async () => {
    const sandbox = await provider.create({ sessionId: 'disk-2' }); // the provider default: 8 MiB
    try {
      const result = await run(sandbox, 'truncate -s 100M sparse && head -c 1048576 /dev/zero > dense && echo done');
      expect(result).toMatchObject({ code: 0, stdout: 'done\n' });
      await until(() => sandbox.diskUsage.usedBytes >= MiB, 'the dense file to be counted');
      expect(sandbox.diskUsage.usedBytes).toBeLessThan(4 * MiB);
      await sandbox.writeFile('ok.txt', 'fine');
    } finally {
      await sandbox.terminate();
    }
  });

  it('counts what is already in the workspace when a sandbox is reopened', async () => {
    const sandbox = await provider.create({ sessionId: 'disk-3', limits: { workspaceMiB: 1 } });
    await run(sandbox, 'head -c 2097152 /dev/zero > already');
    const reopened = await createLocalSandboxProvider({ dataDir, logger }).attach(sandbox.id);
    try {
      expect(reopened.diskUsage.usedBytes).toBeGreaterThanOrEqual(2 * MiB);
      const refused = await reopened.writeFile('x.txt', 'x').catch((error: unknown) => error);
      expect(hasErrorCode(refused, 'LIMIT_EXCEEDED')).toBe(true);
    } finally {
      await reopened.terminate();
      await sandbox.terminate();
    }
  });
});
