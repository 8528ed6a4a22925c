import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AgentProfile, PersistenceAdapter } from '@agent-runtime/core';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';

export interface DefaultPersistenceOptions {
  /** Folder of the SQLite file (`agent-runtime.db`). Default `./.agent-runtime`. */
  dataDir?: string;
  /** PostgreSQL connection string; default `process.env.DATABASE_URL`. */
  databaseUrl?: string;
}

/** A persistence adapter with `close()` and `seedProfiles()` (both reference adapters have them). */
export interface DefaultPersistence extends PersistenceAdapter {
  close(): Promise<void>;
  seedProfiles(profiles: AgentProfile[]): Promise<void>;
}

/**
 * The reference adapters, chosen the way the demo does: PostgreSQL when `DATABASE_URL` is set,
 * otherwise one SQLite file under the data dir.
 */
export function defaultPersistence(options: DefaultPersistenceOptions = {}): DefaultPersistence {
  const databaseUrl = options.databaseUrl ?? process.env.DATABASE_URL;
  if (databaseUrl) return createPostgresPersistence({ connectionString: databaseUrl });
  const dataDir = resolve(options.dataDir ?? '.agent-runtime');
  mkdirSync(dataDir, { recursive: true });
  return createSqlitePersistence({ filename: join(dataDir, 'agent-runtime.db') });
}
