import { AgentRuntimeError, type Logger } from '@agent-runtime/core';
import type { Database } from 'better-sqlite3';
import { sqliteMigrations, type SqliteMigration } from './migrations.js';

/**
 * Applies the migrations the database has not seen yet, each in its own `BEGIN IMMEDIATE`
 * transaction (so two processes opening the same file cannot both apply one). Refuses a database
 * written by a newer version of this package.
 */
export function applySqliteMigrations(database: Database, logger: Logger, migrations: readonly SqliteMigration[] = sqliteMigrations): number {
  database.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  ) STRICT`);
  const applied = database.prepare('SELECT version FROM schema_migrations WHERE version = ?');
  const record = database.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const newest = (database.prepare('SELECT max(version) AS version FROM schema_migrations').get() as { version: number | null }).version ?? 0;
  const known = migrations.at(-1)?.version ?? 0;
  if (newest > known) {
    throw new AgentRuntimeError('PERSISTENCE_ERROR', `The database schema is at version ${newest}, newer than this package knows (${known}); upgrade @agent-runtime/persistence-sqlite.`, {
      details: { schemaVersion: newest, supportedVersion: known },
    });
  }
  let count = 0;
  for (const migration of migrations) {
    database
      .transaction(() => {
        if (applied.get(migration.version)) return;
        database.exec(migration.sql);
        record.run(migration.version, migration.name, Date.now());
        count += 1;
        logger.info({ version: migration.version, name: migration.name }, 'sqlite migration applied');
      })
      .immediate();
  }
  return count;
}
