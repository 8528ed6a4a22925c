import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runPersistenceCrashTest } from '@agent-runtime/testkit/contracts';
import pg from 'pg';
import { expect, it } from 'vitest';
import { createPostgresPersistence, migrate } from './index.js';
import { dropSchema, TEST_DATABASE_URL, testSchemaName } from './test-database.js';

const writer = fileURLToPath(new URL('../test/crash-writer.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

it('keeps every acknowledged write through 20 SIGKILLs and reopens cleanly', async () => {
  expect(existsSync(built), 'the crash writer runs the built adapter: run `pnpm --filter @agent-runtime/persistence-postgres build` first').toBe(true);
  const schema = testSchemaName('crash');
  const admin = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  try {
    await migrate(admin, { schema });
    const report = await runPersistenceCrashTest({
      kills: 20,
      spawnWriter: (sessionId) => spawn(process.execPath, [writer, TEST_DATABASE_URL, schema, sessionId], { stdio: ['ignore', 'pipe', 'pipe'] }),
      openStore: async () => {
        const adapter = createPostgresPersistence({ connectionString: TEST_DATABASE_URL, schema });
        await adapter.migrate();
        return {
          adapter,
          check: async () => {
            const orphans = await admin.query(
              `SELECT count(*)::int AS n FROM "${schema}".workspace_files f LEFT JOIN "${schema}".sessions s USING (session_id) WHERE s.session_id IS NULL`,
            );
            expect(orphans.rows[0]).toEqual({ n: 0 });
          },
          close: () => adapter.close(),
        };
      },
    });
    console.log(`postgres crash test: ${report.kills} kills, ${report.acknowledgedWrites} acknowledged writes, ${report.recordsVerified} records verified`);
    expect(report.kills).toBe(20);
    expect(report.recordsVerified).toBeGreaterThan(20);
  } finally {
    await dropSchema(admin, schema);
    await admin.end();
  }
});
