import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDurabilityCrashTest } from '@agent-runtime/testkit/contracts';
import BetterSqlite3 from 'better-sqlite3';
import { expect, it } from 'vitest';
import { createSqlitePersistence } from './index.js';

const writer = fileURLToPath(new URL('../test/durability-crash-writer.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

it('keeps every acknowledged event append, transcript append and enqueue through 20 SIGKILLs, numbering on after each', async () => {
  expect(existsSync(built), 'the crash writer runs the built adapter: run `pnpm --filter @agent-runtime/persistence-sqlite build` first').toBe(true);
  const directory = await mkdtemp(join(tmpdir(), 'sqlite-durability-crash-'));
  const filename = join(directory, 'crash.db');
  try {
    const report = await runDurabilityCrashTest({
      kills: 20,
      spawnWriter: (sessionId, runId) => spawn(process.execPath, [writer, filename, sessionId, runId], { stdio: ['ignore', 'pipe', 'pipe'] }),
      openStore: async () => {
        const adapter = createSqlitePersistence({ filename });
        await adapter.migrate();
        return {
          eventLog: adapter.sessionEventLog(),
          turnQueue: adapter.turnQueueStore(),
          transcripts: adapter,
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
    console.log(
      `sqlite durability crash test: ${report.kills} kills, ${report.acknowledgedAppends} acknowledged appends, ${report.acknowledgedEnqueues} acknowledged enqueues, ${report.acknowledgedTranscriptAppends} acknowledged transcript appends, ${report.eventsVerified} events verified`,
    );
    expect(report.kills).toBe(20);
    expect(report.acknowledgedAppends).toBeGreaterThan(20);
    expect(report.acknowledgedEnqueues).toBeGreaterThan(10);
    expect(report.acknowledgedTranscriptAppends).toBeGreaterThan(20);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});
