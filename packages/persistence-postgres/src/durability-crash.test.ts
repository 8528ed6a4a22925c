import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runDurabilityCrashTest } from '@agent-runtime/testkit/contracts';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createPostgresPersistence, migrate } from './index.js';
import { dropSchema, TEST_DATABASE_URL, testSchemaName } from './test-database.js';

const writer = fileURLToPath(new URL('../test/durability-crash-writer.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

it('keeps every acknowledged event append, transcript append and enqueue through 20 SIGKILLs, numbering on after each', async () => {
  expect(existsSync(built), 'the crash writer runs the built adapter: run `pnpm --filter @agent-runtime/persistence-postgres build` first').toBe(true);
  const schema = testSchemaName('durability_crash');
  const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  try {
    await migrate(admin, { schema });
    const report = await runDurabilityCrashTest({
      kills: 20,
      spawnWriter: (sessionId, runId) => spawn(process.execPath, [writer, TEST_DATABASE_URL, schema, sessionId, runId], { stdio: ['ignore', 'pipe', 'pipe'] }),
      openStore: async () => {
        const adapter = createPostgresPersistence({ connectionString: TEST_DATABASE_URL, schema, poolConfig: { max: 2 } });
        await adapter.migrate();
        return { eventLog: adapter.sessionEventLog(), turnQueue: adapter.turnQueueStore(), transcripts: adapter, close: () => adapter.close() };
      },
    });
    console.log(
      `postgres durability crash test: ${report.kills} kills, ${report.acknowledgedAppends} acknowledged appends, ${report.acknowledgedEnqueues} acknowledged enqueues, ${report.acknowledgedTranscriptAppends} acknowledged transcript appends, ${report.eventsVerified} events verified`,
    );
    expect(report.kills).toBe(20);
    expect(report.acknowledgedAppends).toBeGreaterThan(20);
    expect(report.acknowledgedEnqueues).toBeGreaterThan(10);
    expect(report.acknowledgedTranscriptAppends).toBeGreaterThan(20);
  } finally {
    await dropSchema(admin, schema);
    await admin.end();
  }
});
