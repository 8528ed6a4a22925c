import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPersistenceCrashTest } from '@agent-runtime/testkit/contracts';
import BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createSqlitePersistence } from './index.js';

const writer = fileURLToPath(new URL('../test/crash-writer.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

it('keeps every acknowledged write through 20 SIGKILLs and reopens cleanly', async () => {
  expect(existsSync(built), 'the crash writer runs the built adapter: run `pnpm --filter @agent-runtime/persistence-sqlite build` first').toBe(true);
  const directory = await mkdtemp(join(tmpdir(), 'sqlite-crash-'));
  const filename = join(directory, 'crash.db');
  try {
    const report = await runPersistenceCrashTest({
      kills: 20,
      spawnWriter: (sessionId) => spawn(process.execPath, [writer, filename, sessionId], { stdio: ['ignore', 'pipe', 'pipe'] }),
      openStore: async () => {
        const adapter = createSqlitePersistence({ filename });
        await adapter.migrate();
        return {
          adapter,
          check: async () => {
            const raw = new BetterSqlite3(filename, { readonly: true });
            try {
              expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
              expect(raw.pragma('foreign_key_check')).toEqual([]);
            } finally {
              raw.close();
            }
          },
          close: () => adapter.close(),
        };
      },
    });
    console.log(`sqlite crash test: ${report.kills} kills, ${report.acknowledgedWrites} acknowledged writes, ${report.recordsVerified} records verified`);
    expect(report.kills).toBe(20);
    expect(report.recordsVerified).toBeGreaterThan(20);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
