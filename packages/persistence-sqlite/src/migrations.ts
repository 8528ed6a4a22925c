import { sqliteDurabilityMigrations } from './durability-migrations.js';

/** A schema change, applied once, in order, inside a transaction; recorded in `schema_migrations`. */
export interface SqliteMigration {
  version: number;
  name: string;
  sql: string;
}

/** Append only: never edit a released migration, add the next version instead. */
export const sqliteMigrations: readonly SqliteMigration[] = [
  {
    version: 1,
    name: 'sessions, transcripts, workspace files, agent profiles',
    sql: `
      CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        agent_profile_reference TEXT NOT NULL,
        name TEXT,
        status TEXT NOT NULL,
        last_activity REAL,
        created_at REAL,
        metadata TEXT
      ) STRICT;

      CREATE TABLE transcripts (
        session_id TEXT PRIMARY KEY REFERENCES sessions (session_id) ON DELETE CASCADE,
        raw_transcript TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE subagent_transcripts (
        session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
        subagent_id TEXT NOT NULL,
        raw_transcript TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, subagent_id)
      ) STRICT;

      CREATE TABLE workspace_files (
        session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        content TEXT NOT NULL,
        encoding TEXT CHECK (encoding IN ('utf8', 'base64')),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, path)
      ) STRICT;

      CREATE TABLE agent_profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT,
        profile TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  ...sqliteDurabilityMigrations,
];
