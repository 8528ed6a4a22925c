import type { SqliteMigration } from './migrations.js';

/**
 * Tables behind the optional durability methods (`sessionEventLog()`, `turnQueueStore()`,
 * `appendTranscript()`). None references `sessions`: the event log and the turn queue belong to
 * the engine and are removed by their own `forget`; transcript chunks cascade with their session.
 */
export const sqliteDurabilityMigrations: readonly SqliteMigration[] = [
  {
    version: 2,
    name: 'session event log, turn queue, appended transcript chunks',
    sql: `
      -- One row per session: the newest seq ever handed out (never goes down) and the trim floor.
      CREATE TABLE event_log_heads (
        session_id TEXT PRIMARY KEY,
        latest_seq INTEGER NOT NULL,
        trimmed_upto INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE TABLE event_log (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        event TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE turn_queue (
        session_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        client_message_id TEXT,
        request TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')),
        turn_id TEXT,
        accepted_at TEXT NOT NULL,
        outcome TEXT,
        PRIMARY KEY (session_id, position)
      ) STRICT;
      CREATE UNIQUE INDEX turn_queue_client_message ON turn_queue (session_id, client_message_id) WHERE client_message_id IS NOT NULL;
      CREATE INDEX turn_queue_pending ON turn_queue (session_id, position) WHERE state <> 'done';

      -- appendTranscript: deltas after the base text in transcripts / subagent_transcripts
      -- ('' is the main transcript; subagent ids are never empty). saveTranscript deletes them.
      CREATE TABLE transcript_chunks (
        chunk_id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
        subagent_id TEXT NOT NULL,
        text TEXT NOT NULL
      ) STRICT;
      CREATE INDEX transcript_chunks_by_transcript ON transcript_chunks (session_id, subagent_id, chunk_id);
    `,
  },
  {
    version: 3,
    name: 'approval requests',
    sql: `
      -- Permission requests and agent questions (ApprovalRequestStore); resolution NULL = pending.
      CREATE TABLE approval_requests (
        sequence INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        request_id TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        request TEXT NOT NULL,
        resolution TEXT
      ) STRICT;
      CREATE UNIQUE INDEX approval_requests_by_id ON approval_requests (session_id, request_id);
      CREATE INDEX approval_requests_pending ON approval_requests (session_id) WHERE resolution IS NULL;
    `,
  },
];
