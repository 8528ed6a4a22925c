import {
  checkSubagentId,
  parseAgentProfiles,
  parseSessionRecord,
  parseSessionUpdate,
  sessionNotFoundError,
  storedWorkspacePath,
  type AgentProfile,
  type AgentProfileListData,
  type PersistenceAdapter,
  type SavedSessionData,
  type SessionListData,
  type WorkspaceFile,
} from '@agent-runtime/core';

export interface MemoryPersistenceOptions {
  /** Profiles available from the start (validated like `seedProfiles`). */
  profiles?: AgentProfile[];
}

/** The in-memory adapter: the nine methods plus `seedProfiles`. */
export interface MemoryPersistence extends PersistenceAdapter {
  /** Upserts profiles by id; the whole batch is validated first (`INVALID_INPUT` names the field). */
  seedProfiles(profiles: AgentProfile[]): Promise<void>;
}

interface StoredSession {
  record: SessionListData;
  rawTranscript?: string;
  subagents: Map<string, string>;
  files: Map<string, WorkspaceFile>;
}

const copy = <T>(value: T): T => structuredClone(value);

/**
 * A complete `PersistenceAdapter` kept in memory: for tests, prototypes and the testkit. Values
 * are deep-copied on the way in and out, so callers can never alias stored state. Nothing
 * survives the process.
 */
export function createMemoryPersistence(options: MemoryPersistenceOptions = {}): MemoryPersistence {
  const sessions = new Map<string, StoredSession>();
  const profiles = new Map<string, AgentProfile>();
  for (const profile of parseAgentProfiles(options.profiles ?? [])) profiles.set(profile.id, copy(profile));

  const existing = (sessionId: string): StoredSession => {
    const session = sessions.get(sessionId);
    if (!session) throw sessionNotFoundError(sessionId);
    return session;
  };

  return {
    async listAllSessions() {
      return [...sessions.values()].map((session) => copy(session.record));
    },

    async loadSession(sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return null;
      const saved: SavedSessionData = {
        ...copy(session.record),
        workspaceFiles: [...session.files.values()].map(copy),
        subagents: [...session.subagents].map(([id, rawTranscript]) => ({ id, rawTranscript })),
      };
      if (session.rawTranscript !== undefined) saved.rawTranscript = session.rawTranscript;
      return saved;
    },

    async createSessionRecord(session) {
      const record = copy(parseSessionRecord(session));
      const stored = sessions.get(record.sessionId);
      if (stored) stored.record = record;
      else sessions.set(record.sessionId, { record, subagents: new Map(), files: new Map() });
    },

    async updateSessionRecord(sessionId, updates) {
      const changes = copy(parseSessionUpdate(updates));
      const session = existing(sessionId);
      session.record = { ...session.record, ...changes };
    },

    async saveTranscript(sessionId, rawTranscript, subagentId) {
      checkSubagentId(subagentId);
      const session = existing(sessionId);
      if (subagentId === undefined) session.rawTranscript = String(rawTranscript);
      else session.subagents.set(subagentId, String(rawTranscript));
    },

    async saveWorkspaceFile(sessionId, file) {
      const path = storedWorkspacePath(file.path);
      const session = existing(sessionId);
      const stored: WorkspaceFile = { path, content: String(file.content) };
      if (file.encoding) stored.encoding = file.encoding;
      session.files.set(path, stored);
    },

    async deleteSessionFile(sessionId, path) {
      const key = storedWorkspacePath(path);
      sessions.get(sessionId)?.files.delete(key);
    },

    async listAgentProfiles() {
      return [...profiles.values()].map(({ id, name, description }): AgentProfileListData => (description === undefined ? { id, name } : { id, name, description }));
    },

    async loadAgentProfile(agentProfileId) {
      const profile = profiles.get(agentProfileId);
      return profile ? copy(profile) : null;
    },

    async seedProfiles(batch) {
      for (const profile of parseAgentProfiles(batch)) profiles.set(profile.id, copy(profile));
    },
  };
}
