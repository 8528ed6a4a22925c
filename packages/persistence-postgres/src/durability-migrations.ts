import type { PostgresMigration } from './migrations.js';

/**
 * Tables behind the optional durability methods (`sessionEventLog()`, `turnQueueStore()`,
 * `appendTranscript()`). The event log and the turn queue do not reference `sessions` (the engine
 * removes them with their own `forget`); transcript chunks cascade with their session.
 */
export const postgresDurabilityMigrations: readonly PostgresMigration[] = [
  {
    version: 3,
    name: 'session event log, turn queue, appended transcript chunks',
    sql: (s) => `
      -- One row per session: the newest seq ever handed out (never goes down) and the trim floor.
      -- Appenders lock it (the upsert in append), which serialises them per session; a fencing
      -- token for many nodes belongs in this row.
      CREATE TABLE ${s}.event_log_heads (
        session_id text PRIMARY KEY,
        latest_seq bigint NOT NULL,
        trimmed_upto bigint NOT NULL DEFAULT 0
      );

      CREATE TABLE ${s}.event_log (
        session_id text NOT NULL,
        seq bigint NOT NULL,
        event text NOT NULL,
        PRIMARY KEY (session_id, seq)
      );

      -- The turn queue's per-session row: the last position handed out; enqueue locks it.
      CREATE TABLE ${s}.turn_queue_heads (
        session_id text PRIMARY KEY,
        last_position bigint NOT NULL
      );

      CREATE TABLE ${s}.turn_queue (
        session_id text NOT NULL,
        position bigint NOT NULL,
        client_message_id text,
        request text NOT NULL,
        state text NOT NULL CHECK (state IN ('queued', 'running', 'done')),
        turn_id text,
        accepted_at text NOT NULL,
        outcome text,
        PRIMARY KEY (session_id, position)
      );
      CREATE UNIQUE INDEX turn_queue_client_message ON ${s}.turn_queue (session_id, client_message_id) WHERE client_message_id IS NOT NULL;
      CREATE INDEX turn_queue_pending ON ${s}.turn_queue (session_id, position) WHERE state <> 'done';

      -- appendTranscript: deltas after the base text in transcripts / subagent_transcripts
      -- ('' is the main transcript; subagent ids are never empty). saveTranscript deletes them.
      CREATE TABLE ${s}.transcript_chunks (
        chunk_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        session_id text NOT NULL REFERENCES ${s}.sessions (session_id) ON DELETE CASCADE,
        subagent_id text NOT NULL,
        text text NOT NULL
      );
      CREATE INDEX transcript_chunks_by_transcript ON ${s}.transcript_chunks (session_id, subagent_id, chunk_id);
    `,
  },
  {
    version: 4,
    name: 'approval requests',
    sql: (s) => `
      -- Permission requests and agent questions (ApprovalRequestStore); resolution NULL = pending.
      CREATE TABLE ${s}.approval_requests (
        sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        session_id text NOT NULL,
        request_id text NOT NULL,
        created_at bigint NOT NULL,
        request text NOT NULL,
        resolution text
      );
      CREATE UNIQUE INDEX approval_requests_by_id ON ${s}.approval_requests (session_id, request_id);
      CREATE INDEX approval_requests_pending ON ${s}.approval_requests (session_id) WHERE resolution IS NULL;
    `,
  },
];
