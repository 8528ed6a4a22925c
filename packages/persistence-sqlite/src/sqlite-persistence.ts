import {
  AgentRuntimeError,
  checkSubagentId,
  noopLogger,
  parseAgentProfiles,
  parseSessionRecord,
  parseSessionUpdate,
  sessionNotFoundError,
  storedWorkspacePath,
  type AgentProfile,
  type AgentProfileListData,
  type Logger,
  type PersistenceAdapter,
  type PersistenceExtensions,
  type SavedSessionData,
  type WorkspaceFile,
} from '@agent-runtime/core';
import {
  columnValue,
  SESSION_COLUMNS,
  SESSION_UPSERT_ASSIGNMENTS,
  sessionFromRow,
  sessionRowValues,
  UPDATABLE_COLUMNS,
  type SessionRow,
} from '@agent-runtime/persistence-sql';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { applySqliteMigrations } from './migrate.js';
import { createSqliteEventLog } from './sqlite-event-log.js';
import type { SqliteRunner } from './sqlite-runner.js';
import { appendedChunks, createSqliteTranscriptAppend, dropAppendedChunks } from './sqlite-transcript-chunks.js';
import { createSqliteApprovalRequests } from './sqlite-approval-requests.js';
import { createSqliteTurnQueue } from './sqlite-turn-queue.js';

export interface SqlitePersistenceOptions {
  /** The database file (created when missing), or `':memory:'`. */
  filename: string;
  /**
   * `'normal'` (default): in WAL mode a write that has returned survives a crash or SIGKILL of the
   * process; only an OS crash or power loss can lose the last writes (never corrupting the file).
   * `'full'`: also survives power loss, at the cost of an fsync per write.
   */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another process's lock. Default 5000 ms. */
  busyTimeoutMs?: number;
  logger?: Logger;
}

/**
 * The SQLite adapter: the nine methods, the durability extensions (event log, turn queue,
 * `appendTranscript`, all in the same file), plus seeding, explicit migration and `close()`.
 */
export interface SqlitePersistence extends PersistenceAdapter, Required<PersistenceExtensions> {
  /** Opens the file and applies pending migrations. Every method does this on first use. */
  migrate(): Promise<void>;
  /** Upserts profiles by id in one transaction; the batch is validated first. */
  seedProfiles(profiles: AgentProfile[]): Promise<void>;
  /** Closes the file. Later calls reject with `PERSISTENCE_ERROR`. */
  close(): Promise<void>;
}

/**
 * A `PersistenceAdapter` in one SQLite file (better-sqlite3, WAL mode). The factory does no I/O:
 * the file is opened and migrated by `migrate()` or the first call. better-sqlite3 is
 * synchronous, so a call blocks the event loop while it runs (about 70 ms for a 10 MB transcript on the bench machine).
 */
export function createSqlitePersistence(options: SqlitePersistenceOptions): SqlitePersistence {
  const logger = options.logger ?? noopLogger;
  let database: Database | undefined;
  let closed = false;

  const open = (): Database => {
    if (closed) throw new AgentRuntimeError('PERSISTENCE_ERROR', 'The SQLite store is closed.', { details: { filename: options.filename } });
    if (database) return database;
    const opened = new BetterSqlite3(options.filename);
    try {
      opened.pragma('journal_mode = WAL');
      opened.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
      opened.pragma('foreign_keys = ON');
      opened.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      applySqliteMigrations(opened, logger);
    } catch (error) {
      opened.close();
      throw error;
    }
    database = opened;
    logger.debug({ filename: options.filename }, 'sqlite store opened');
    return opened;
  };

  /** Runs `action` on the open database; storage failures become `PERSISTENCE_ERROR`. */
  const run: SqliteRunner = async <T>(operation: string, action: (db: Database) => T): Promise<T> => {
    try {
      return action(open());
    } catch (error) {
      if (AgentRuntimeError.isInstance(error)) throw error;
      logger.error({ operation, error: (error as Error).message }, 'sqlite operation failed');
      throw new AgentRuntimeError('PERSISTENCE_ERROR', `SQLite ${operation} failed: ${(error as Error).message}`, {
        details: { operation },
        cause: error,
      });
    }
  };

  const requireSession = (db: Database, sessionId: string) => {
    if (!db.prepare('SELECT 1 FROM sessions WHERE session_id = ?').get(sessionId)) throw sessionNotFoundError(sessionId);
  };

  const eventLog = createSqliteEventLog(run);
  const turnQueue = createSqliteTurnQueue(run);
  const approvalRequests = createSqliteApprovalRequests(run);

  return {
    async migrate() {
      await run('migrate', () => undefined);
    },

    sessionEventLog: () => eventLog,
    turnQueueStore: () => turnQueue,
    approvalRequestStore: () => approvalRequests,
    appendTranscript: createSqliteTranscriptAppend(run),

    listAllSessions: () =>
      run('listAllSessions', (db) =>
        (db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions ORDER BY created_at, session_id`).all() as SessionRow[]).map(sessionFromRow),
      ),

    loadSession: (sessionId) =>
      run('loadSession', (db) =>
        db.transaction((): SavedSessionData | null => {
          const row = db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id = ?`).get(sessionId) as SessionRow | undefined;
          if (!row) return null;
          const transcript = db.prepare('SELECT raw_transcript FROM transcripts WHERE session_id = ?').get(sessionId) as
            | { raw_transcript: string }
            | undefined;
          const subagents = db
            .prepare('SELECT subagent_id, raw_transcript FROM subagent_transcripts WHERE session_id = ? ORDER BY subagent_id')
            .all(sessionId) as { subagent_id: string; raw_transcript: string }[];
          const files = db.prepare('SELECT path, content, encoding FROM workspace_files WHERE session_id = ? ORDER BY path').all(sessionId) as {
            path: string;
            content: string;
            encoding: WorkspaceFile['encoding'] | null;
          }[];
          const appended = appendedChunks(db, sessionId);
          const saved: SavedSessionData = {
            ...sessionFromRow(row),
            workspaceFiles: files.map((file) => (file.encoding ? { path: file.path, content: file.content, encoding: file.encoding } : { path: file.path, content: file.content })),
            subagents: subagents.map((subagent) => ({ id: subagent.subagent_id, rawTranscript: subagent.raw_transcript + (appended.get(subagent.subagent_id) ?? '') })),
          };
          if (transcript) saved.rawTranscript = transcript.raw_transcript + (appended.get('') ?? '');
          return saved;
        })(),
      ),

    createSessionRecord: (session) => {
      const record = parseSessionRecord(session);
      return run('createSessionRecord', (db) => {
        db.prepare(
          `INSERT INTO sessions (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (session_id) DO UPDATE SET ${SESSION_UPSERT_ASSIGNMENTS}`,
        ).run(...sessionRowValues(record));
      });
    },

    updateSessionRecord: async (sessionId, updates) => {
      const changes = Object.entries(parseSessionUpdate(updates)) as [keyof typeof UPDATABLE_COLUMNS, unknown][];
      return run('updateSessionRecord', (db) => {
        if (changes.length === 0) return requireSession(db, sessionId);
        const assignments = changes.map(([field]) => `${UPDATABLE_COLUMNS[field]} = ?`).join(', ');
        const result = db
          .prepare(`UPDATE sessions SET ${assignments} WHERE session_id = ?`)
          .run(...changes.map(([field, value]) => columnValue(field, value)), sessionId);
        if (result.changes === 0) throw sessionNotFoundError(sessionId);
      });
    },

    saveTranscript: async (sessionId, rawTranscript, subagentId) => {
      checkSubagentId(subagentId);
      return run('saveTranscript', (db) =>
        db.transaction(() => {
          requireSession(db, sessionId);
          dropAppendedChunks(db, sessionId, subagentId);
          if (subagentId === undefined) {
            db.prepare(
              `INSERT INTO transcripts (session_id, raw_transcript, updated_at) VALUES (?, ?, ?)
               ON CONFLICT (session_id) DO UPDATE SET raw_transcript = excluded.raw_transcript, updated_at = excluded.updated_at`,
            ).run(sessionId, String(rawTranscript), Date.now());
          } else {
            db.prepare(
              `INSERT INTO subagent_transcripts (session_id, subagent_id, raw_transcript, updated_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (session_id, subagent_id) DO UPDATE SET raw_transcript = excluded.raw_transcript, updated_at = excluded.updated_at`,
            ).run(sessionId, subagentId, String(rawTranscript), Date.now());
          }
        })(),
      );
    },

    saveWorkspaceFile: async (sessionId, file) => {
      const path = storedWorkspacePath(file.path);
      return run('saveWorkspaceFile', (db) =>
        db.transaction(() => {
          requireSession(db, sessionId);
          db.prepare(
            `INSERT INTO workspace_files (session_id, path, content, encoding, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (session_id, path) DO UPDATE SET content = excluded.content, encoding = excluded.encoding, updated_at = excluded.updated_at`,
          ).run(sessionId, path, String(file.content), file.encoding ?? null, Date.now());
        })(),
      );
    },

    deleteSessionFile: async (sessionId, path) => {
      const key = storedWorkspacePath(path);
      return run('deleteSessionFile', (db) => {
        db.prepare('DELETE FROM workspace_files WHERE session_id = ? AND path = ?').run(sessionId, key);
      });
    },

    listAgentProfiles: () =>
      run('listAgentProfiles', (db) =>
        (db.prepare('SELECT id, name, description FROM agent_profiles ORDER BY id').all() as { id: string; name: string; description: string | null }[]).map(
          ({ id, name, description }): AgentProfileListData => (description === null ? { id, name } : { id, name, description }),
        ),
      ),

    loadAgentProfile: (agentProfileId) =>
      run('loadAgentProfile', (db) => {
        const row = db.prepare('SELECT profile FROM agent_profiles WHERE id = ?').get(agentProfileId) as { profile: string } | undefined;
        return row ? (JSON.parse(row.profile) as AgentProfile) : null;
      }),

    seedProfiles: async (profiles) => {
      const parsed = parseAgentProfiles(profiles);
      return run('seedProfiles', (db) => {
        const upsert = db.prepare(
          `INSERT INTO agent_profiles (id, name, description, profile, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, profile = excluded.profile, updated_at = excluded.updated_at`,
        );
        db.transaction(() => {
          for (const profile of parsed) upsert.run(profile.id, profile.name, profile.description ?? null, JSON.stringify(profile), Date.now());
        })();
      });
    },

    async close() {
      closed = true;
      database?.close();
      database = undefined;
    },
  };
}
