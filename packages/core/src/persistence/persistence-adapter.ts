import type { AgentProfile } from '../profiles/agent-profile.js';
import type { AgentProfileListData } from '../profiles/agent-profile-list-data.js';
import type { SavedSessionData } from '../sessions/saved-session-data.js';
import type { SessionListData } from '../sessions/session-list-data.js';
import type { WorkspaceFile } from '../sessions/workspace-file.js';

/**
 * Where the runtime keeps sessions, transcripts, workspace files and agent profiles.
 * Implement these nine methods for your database; the runtime never talks to storage otherwise.
 *
 * Every write is an upsert and may be repeated (the runtime retries and re-syncs): writing the
 * same value twice must leave the same state. Run `persistenceContract` from
 * `@agent-runtime/testkit` against your adapter to check it.
 */
export interface PersistenceAdapter {
  /** All sessions, to initialise the runtime. Called once when the session manager starts. */
  listAllSessions(): Promise<SessionListData[]>;

  /** A session with its raw transcripts and workspace files, or `null` when unknown. */
  loadSession(sessionId: string): Promise<SavedSessionData | null>;

  /** Store a new session record. */
  createSessionRecord(session: SessionListData): Promise<void>;

  /** Patch a session record (status, name, lastActivity, metadata...). */
  updateSessionRecord(sessionId: string, updates: Partial<SessionListData>): Promise<void>;

  /**
   * Store the agent's raw transcript, replacing the previous one: the main transcript, or the
   * transcript of subagent `subagentId`. Subagent transcripts never overwrite the main one.
   */
  saveTranscript(sessionId: string, rawTranscript: string, subagentId?: string): Promise<void>;

  /** Upsert a workspace file by path. */
  saveWorkspaceFile(sessionId: string, file: WorkspaceFile): Promise<void>;

  /** Delete a workspace file; deleting a missing file is not an error. */
  deleteSessionFile(sessionId: string, path: string): Promise<void>;

  /** Profiles sessions can be created from. */
  listAgentProfiles(): Promise<AgentProfileListData[]>;

  /** A full profile, or `null` when unknown. */
  loadAgentProfile(agentProfileId: string): Promise<AgentProfile | null>;
}
