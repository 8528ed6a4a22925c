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
import pg, { type Pool, type PoolClient, type PoolConfig } from 'pg';
import { migrate } from './migrate.js';
import { createPostgresEventLog, type PostgresEventLogOptions } from './postgres-event-log.js';
import type { PostgresContext } from './postgres-runner.js';
import { appendedChunks, createPostgresTranscriptAppend, dropAppendedChunks } from './postgres-transcript-chunks.js';
import { createPostgresApprovalRequests } from './postgres-approval-requests.js';
import { createPostgresTurnQueue } from './postgres-turn-queue.js';
import { quotedSchema } from './schema-name.js';

export interface PostgresPersistenceOptions {
  /** `postgres://user@host:5432/db`; the adapter creates (and `close()` ends) its own pool. */
  connectionString?: string;
  /** A pool you own; `close()` leaves it open. Takes precedence over `connectionString`. */
  pool?: Pool;
  /** Extra settings for the pool created from `connectionString` (e.g. `max`). */
  poolConfig?: Omit<PoolConfig, 'connectionString'>;
  /** Schema holding the tables; created when missing. Default `'agent_runtime'`. */
  schema?: string;
  /** How event-log appends commit (see `PostgresEventLogOptions.commit`). Default `'synchronous'`. */
  eventLogCommit?: PostgresEventLogOptions['commit'];
  logger?: Logger;
}

/**
 * The PostgreSQL adapter: the nine methods, the durability extensions (event log, turn queue,
 * `appendTranscript`, all in the same schema), plus seeding, explicit migration and `close()`.
 */
export interface PostgresPersistence extends PersistenceAdapter, Required<PersistenceExtensions> {
  /** Creates the schema and applies pending migrations. Every method does this on first use. */
  migrate(): Promise<void>;
  /** Upserts profiles by id in one transaction; the batch is validated first. */
  seedProfiles(profiles: AgentProfile[]): Promise<void>;
  /** Ends the pool the adapter created. Later calls reject with `PERSISTENCE_ERROR`. */
  close(): Promise<void>;
}

const FOREIGN_KEY_VIOLATION = '23503';
const CHARACTER_NOT_IN_REPERTOIRE = '22021';

/**
 * A `PersistenceAdapter` on PostgreSQL (pg). The factory does no I/O: the pool connects and the
 * migrations run on `migrate()` or the first call. Values only ever travel as `$n` parameters.
 */
export function createPostgresPersistence(options: PostgresPersistenceOptions): PostgresPersistence {
  const schema = options.schema ?? 'agent_runtime';
  const s = quotedSchema(schema);
  const logger = options.logger ?? noopLogger;
  if (!options.pool && !options.connectionString) {
    throw new AgentRuntimeError('INVALID_CONFIG', 'createPostgresPersistence needs a connectionString or a pool.', { details: { field: 'connectionString' } });
  }
  const ownsPool = !options.pool;
  const pool = options.pool ?? new pg.Pool({ ...options.poolConfig, connectionString: options.connectionString });
  if (ownsPool) pool.on('error', (error) => logger.warn({ error: error.message }, 'idle postgres client failed'));
  let ready: Promise<void> | undefined;
  let closed = false;

  const ensureReady = (): Promise<void> => {
    if (closed) return Promise.reject(new AgentRuntimeError('PERSISTENCE_ERROR', 'The PostgreSQL store is closed.', { details: { schema } }));
    ready ??= migrate(pool, { schema, logger }).then(
      () => undefined,
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    );
    return ready;
  };

  /** Runs `action` once migrated; storage failures become coded errors. */
  const run = async <T>(operation: string, action: () => Promise<T>, sessionId?: string): Promise<T> => {
    try {
      await ensureReady();
      return await action();
    } catch (error) {
      if (AgentRuntimeError.isInstance(error)) throw error;
      const code = (error as { code?: string }).code;
      if (code === FOREIGN_KEY_VIOLATION && sessionId !== undefined) throw sessionNotFoundError(sessionId);
      if (code === CHARACTER_NOT_IN_REPERTOIRE) {
        throw new AgentRuntimeError('INVALID_INPUT', `PostgreSQL cannot store this text: ${(error as Error).message}`, { details: { operation }, cause: error });
      }
      logger.error({ operation, schema, error: (error as Error).message }, 'postgres operation failed');
      throw new AgentRuntimeError('PERSISTENCE_ERROR', `PostgreSQL ${operation} failed: ${(error as Error).message}`, { details: { operation }, cause: error });
    }
  };

  const transaction = async <T>(begin: string, action: (client: PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      await client.query(begin);
      const result = await action(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const context: PostgresContext = { pool, s, run, transaction };
  const eventLog = createPostgresEventLog(context, { commit: options.eventLogCommit ?? 'synchronous' });
  const turnQueue = createPostgresTurnQueue(context);
  const approvalRequests = createPostgresApprovalRequests(context);

  return {
    async migrate() {
      await run('migrate', async () => undefined);
    },

    sessionEventLog: () => eventLog,
    turnQueueStore: () => turnQueue,
    approvalRequestStore: () => approvalRequests,
    appendTranscript: createPostgresTranscriptAppend(context),

    listAllSessions: () =>
      run('listAllSessions', async () =>
        (await pool.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM ${s}.sessions ORDER BY created_at, session_id`)).rows.map(sessionFromRow),
      ),

    loadSession: (sessionId) =>
      run('loadSession', () =>
        transaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client): Promise<SavedSessionData | null> => {
          const row = (await client.query<SessionRow>(`SELECT ${SESSION_COLUMNS} FROM ${s}.sessions WHERE session_id = $1`, [sessionId])).rows[0];
          if (!row) return null;
          const transcript = (await client.query<{ raw_transcript: string }>(`SELECT raw_transcript FROM ${s}.transcripts WHERE session_id = $1`, [sessionId])).rows[0];
          const subagents = await client.query<{ subagent_id: string; raw_transcript: string }>(
            `SELECT subagent_id, raw_transcript FROM ${s}.subagent_transcripts WHERE session_id = $1 ORDER BY subagent_id COLLATE "C"`,
            [sessionId],
          );
          const files = await client.query<{ path: string; content: Buffer; encoding: WorkspaceFile['encoding'] | null }>(
            `SELECT path, content, encoding FROM ${s}.workspace_files WHERE session_id = $1 ORDER BY path COLLATE "C"`,
            [sessionId],
          );
          const appended = await appendedChunks(client, s, sessionId);
          const saved: SavedSessionData = {
            ...sessionFromRow(row),
            workspaceFiles: files.rows.map((file) => {
              const content = file.content.toString('utf8');
              return file.encoding ? { path: file.path, content, encoding: file.encoding } : { path: file.path, content };
            }),
            subagents: subagents.rows.map((subagent) => ({ id: subagent.subagent_id, rawTranscript: subagent.raw_transcript + (appended.get(subagent.subagent_id) ?? '') })),
          };
          if (transcript) saved.rawTranscript = transcript.raw_transcript + (appended.get('') ?? '');
          return saved;
        }),
      ),

    createSessionRecord: async (session) => {
      const record = parseSessionRecord(session);
      await run('createSessionRecord', () =>
        pool.query(
          `INSERT INTO ${s}.sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (session_id) DO UPDATE SET ${SESSION_UPSERT_ASSIGNMENTS}`,
          sessionRowValues(record),
        ),
      );
    },

    updateSessionRecord: async (sessionId, updates) => {
      const changes = Object.entries(parseSessionUpdate(updates)) as [keyof typeof UPDATABLE_COLUMNS, unknown][];
      await run('updateSessionRecord', async () => {
        const result =
          changes.length === 0
            ? await pool.query(`SELECT 1 FROM ${s}.sessions WHERE session_id = $1`, [sessionId])
            : await pool.query(
                `UPDATE ${s}.sessions SET ${changes.map(([field], index) => `${UPDATABLE_COLUMNS[field]} = $${index + 2}`).join(', ')} WHERE session_id = $1`,
                [sessionId, ...changes.map(([field, value]) => columnValue(field, value))],
              );
        if (result.rowCount === 0) throw sessionNotFoundError(sessionId);
      });
    },

    saveTranscript: async (sessionId, rawTranscript, subagentId) => {
      checkSubagentId(subagentId);
      // The upsert locks the transcript row first, so chunks appended before it are all dropped.
      await run(
        'saveTranscript',
        () =>
          transaction('BEGIN', async (client) => {
            await (subagentId === undefined
              ? client.query(
                  `INSERT INTO ${s}.transcripts (session_id, raw_transcript) VALUES ($1, $2)
                   ON CONFLICT (session_id) DO UPDATE SET raw_transcript = excluded.raw_transcript, updated_at = now()`,
                  [sessionId, String(rawTranscript)],
                )
              : client.query(
                  `INSERT INTO ${s}.subagent_transcripts (session_id, subagent_id, raw_transcript) VALUES ($1, $2, $3)
                   ON CONFLICT (session_id, subagent_id) DO UPDATE SET raw_transcript = excluded.raw_transcript, updated_at = now()`,
                  [sessionId, subagentId, String(rawTranscript)],
                ));
            await dropAppendedChunks(client, s, sessionId, subagentId);
          }),
        sessionId,
      );
    },

    saveWorkspaceFile: async (sessionId, file) => {
      const path = storedWorkspacePath(file.path);
      await run(
        'saveWorkspaceFile',
        () =>
          pool.query(
            `INSERT INTO ${s}.workspace_files (session_id, path, content, encoding) VALUES ($1, $2, $3, $4)
             ON CONFLICT (session_id, path) DO UPDATE SET content = excluded.content, encoding = excluded.encoding, updated_at = now()`,
            [sessionId, path, Buffer.from(String(file.content), 'utf8'), file.encoding ?? null],
          ),
        sessionId,
      );
    },

    deleteSessionFile: async (sessionId, path) => {
      const key = storedWorkspacePath(path);
      await run('deleteSessionFile', () => pool.query(`DELETE FROM ${s}.workspace_files WHERE session_id = $1 AND path = $2`, [sessionId, key]));
    },

    listAgentProfiles: () =>
      run('listAgentProfiles', async () =>
        (await pool.query<{ id: string; name: string; description: string | null }>(`SELECT id, name, description FROM ${s}.agent_profiles ORDER BY id COLLATE "C"`)).rows.map(
          ({ id, name, description }): AgentProfileListData => (description === null ? { id, name } : { id, name, description }),
        ),
      ),

    loadAgentProfile: (agentProfileId) =>
      run('loadAgentProfile', async () => {
        const row = (await pool.query<{ profile: string }>(`SELECT profile FROM ${s}.agent_profiles WHERE id = $1`, [agentProfileId])).rows[0];
        return row ? (JSON.parse(row.profile) as AgentProfile) : null;
      }),

    seedProfiles: async (profiles) => {
      const parsed = parseAgentProfiles(profiles);
      await run('seedProfiles', () =>
        transaction('BEGIN', async (client) => {
          for (const profile of parsed) {
            await client.query(
              `INSERT INTO ${s}.agent_profiles (id, name, description, profile) VALUES ($1, $2, $3, $4)
               ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description, profile = excluded.profile, updated_at = now()`,
              [profile.id, profile.name, profile.description ?? null, JSON.stringify(profile)],
            );
          }
        }),
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      if (ownsPool) await pool.end();
    },
  };
}
