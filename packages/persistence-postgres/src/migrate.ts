import { AgentRuntimeError, noopLogger, type Logger } from '@agent-runtime/core';
import type { Pool, PoolClient } from 'pg';
import { postgresMigrations, type PostgresMigration } from './migrations.js';
import { quotedSchema } from './schema-name.js';

export interface MigrateOptions {
  /** Default `'agent_runtime'`; created when missing. */
  schema?: string;
  logger?: Logger;
}

/**
 * Creates the schema and applies pending migrations, all in one transaction under an advisory
 * lock, so concurrent starts apply each migration exactly once. Refuses a schema written by a
 * newer version of this package. Returns the number of migrations applied.
 */
export async function migrate(
  pool: Pool | PoolClient,
  options: MigrateOptions = {},
  migrations: readonly PostgresMigration[] = postgresMigrations,
): Promise<number> {
  const schema = options.schema ?? 'agent_runtime';
  const s = quotedSchema(schema);
  const logger = options.logger ?? noopLogger;
  const client = 'release' in pool ? pool : await pool.connect();
  let applied = 0;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`agent-runtime-migrations:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${s}.schema_migrations`)).rows.map((row) => row.version));
    const known = migrations.at(-1)?.version ?? 0;
    const newest = Math.max(0, ...done);
    if (newest > known) {
      throw new AgentRuntimeError('PERSISTENCE_ERROR', `Schema ${schema} is at version ${newest}, newer than this package knows (${known}); upgrade @agent-runtime/persistence-postgres.`, {
        details: { schema, schemaVersion: newest, supportedVersion: known },
      });
    }
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied += 1;
      logger.info({ schema, version: migration.version, name: migration.name }, 'postgres migration applied');
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    if (client !== pool) (client as PoolClient).release();
  }
}
