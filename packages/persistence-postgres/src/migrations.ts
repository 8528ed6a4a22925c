import { postgresDurabilityMigrations } from './durability-migrations.js';

/** A schema change for the schema `s` (already quoted); applied once, in order, in one transaction. */
export interface PostgresMigration {
  version: number;
  name: string;
  sql: (s: string) => string;
}

/** Append only: never edit a released migration, add the next version instead. */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    name: 'sessions, transcripts, workspace files, agent profiles',
    sql: (s) => `
      CREATE TABLE ${s}.sessions (
        session_id text PRIMARY KEY,
        type text NOT NULL,
        agent_profile_reference text NOT NULL,
        name text,
        status text NOT NULL,
        last_activity double precision,
        created_at double precision,
        metadata text
      );

      CREATE TABLE ${s}.transcripts (
        session_id text PRIMARY KEY REFERENCES ${s}.sessions (session_id) ON DELETE CASCADE,
        raw_transcript text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE ${s}.subagent_transcripts (
        session_id text NOT NULL REFERENCES ${s}.sessions (session_id) ON DELETE CASCADE,
        subagent_id text NOT NULL,
        raw_transcript text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (session_id, subagent_id)
      );

      CREATE TABLE ${s}.workspace_files (
        session_id text NOT NULL REFERENCES ${s}.sessions (session_id) ON DELETE CASCADE,
        path text NOT NULL,
        content bytea NOT NULL,
        encoding text CHECK (encoding IN ('utf8', 'base64')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (session_id, path)
      );

      CREATE TABLE ${s}.agent_profiles (
        id text PRIMARY KEY,
        name text NOT NULL,
        description text,
        profile text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 2,
    name: 'lz4 compression for transcripts and file contents when the server has it',
    // pglz (the default) caps large transcript writes at ~25 MB/s; lz4 is several times faster.
    sql: (s) => `
      DO $migration$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
          ALTER TABLE ${s}.transcripts ALTER COLUMN raw_transcript SET COMPRESSION lz4;
          ALTER TABLE ${s}.subagent_transcripts ALTER COLUMN raw_transcript SET COMPRESSION lz4;
          ALTER TABLE ${s}.workspace_files ALTER COLUMN content SET COMPRESSION lz4;
        END IF;
      END
      $migration$;
    `,
  },
  ...postgresDurabilityMigrations,
];
