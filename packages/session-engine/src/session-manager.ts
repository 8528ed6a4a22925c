import { randomUUID } from 'node:crypto';
import {
  AgentRuntimeError,
  createSessionRequestSchema,
  invalidInputError,
  noopLogger,
  profileNotFoundError,
  sendMessageRequestSchema,
  sessionNotFoundError,
  workspacePathProblem,
  pathRefusedError,
  type AgentArchitecture,
  type AgentArchitectureType,
  type AgentProfileListData,
  type CreateSessionRequest,
  type Logger,
  type PersistenceAdapter,
  type RuntimeSessionData,
  type SandboxProvider,
  type SendMessageRequest,
  type SendMessageResponse,
  type SessionListData,
  type WorkspaceFile,
} from '@agent-runtime/core';
import { AgentSession } from './agent-session.js';
import { errorInfo } from './error-info.js';
import { SessionEventBus } from './event-bus.js';
import type { SessionEngine } from './session-engine-api.js';
import type { SessionEngineSettings } from './settings.js';

export interface SessionManagerOptions extends Partial<SessionEngineSettings> {
  persistence: PersistenceAdapter;
  sandboxProvider: SandboxProvider;
  /** One per architecture type the runtime serves. */
  architectures: AgentArchitecture[];
  logger?: Logger;
  /** Share a bus (e.g. with a transport created earlier); a new one by default. */
  events?: SessionEventBus;
  /** Start a sandbox as soon as a session is created (default true). */
  warmSandboxOnCreate?: boolean;
}

/**
 * The Session Manager of the reference architecture: loads every session on start, creates,
 * lists and resumes them, routes messages, and owns the event bus.
 */
export class SessionManager implements SessionEngine {
  readonly events: SessionEventBus;
  private readonly sessions = new Map<string, AgentSession>();
  private readonly architectures = new Map<AgentArchitectureType, AgentArchitecture>();
  private readonly settings: SessionEngineSettings;
  private readonly logger: Logger;
  private started = false;
  private stopping = false;

  constructor(private readonly options: SessionManagerOptions) {
    this.events = options.events ?? new SessionEventBus();
    this.logger = options.logger ?? noopLogger;
    for (const architecture of options.architectures) this.architectures.set(architecture.type, architecture);
    this.settings = {
      idleTimeoutMs: options.idleTimeoutMs ?? 15 * 60 * 1000,
      syncIntervalMs: options.syncIntervalMs ?? 30 * 1000,
      ...(options.idleWarningMs === undefined ? {} : { idleWarningMs: options.idleWarningMs }),
      ...(options.sandboxLimits === undefined ? {} : { sandboxLimits: options.sandboxLimits }),
      ...(options.maxMirroredFileBytes === undefined ? {} : { maxMirroredFileBytes: options.maxMirroredFileBytes }),
      ...(options.transcriptSyncDelayMs === undefined ? {} : { transcriptSyncDelayMs: options.transcriptSyncDelayMs }),
      ...(options.rememberedMessageIds === undefined ? {} : { rememberedMessageIds: options.rememberedMessageIds }),
      ...(options.turnTimeoutMs === undefined ? {} : { turnTimeoutMs: options.turnTimeoutMs }),
    };
  }

  /** Load every stored session (`listAllSessions`) and reap sandboxes left by a crash. */
  async start(): Promise<void> {
    if (this.started) return;
    const records = await this.options.persistence.listAllSessions();
    for (const record of records) {
      if (!this.architectures.has(record.type)) {
        this.logger.warn({ sessionId: record.sessionId, type: record.type }, 'no architecture for a stored session; it stays listed');
      }
      const session = this.makeSession(record);
      if (session) {
        this.sessions.set(record.sessionId, session);
        await session.markRestarted();
      }
    }
    await this.reapOrphanSandboxes();
    this.started = true;
    this.stopping = false;
    this.logger.info({ sessions: this.sessions.size }, 'session manager started');
  }

  /** Interrupt running turns, persist everything, stop every sandbox. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.sessions.values()].map((session) => session.shutdown().catch((error) => {
      this.logger.error({ sessionId: session.id, error: errorInfo(error) }, 'shutdown of a session failed');
    })));
    this.started = false;
  }

  isReady(): boolean {
    return this.started && !this.stopping;
  }

  async createSession(request: CreateSessionRequest): Promise<SessionListData> {
    const parsed = createSessionRequestSchema.safeParse(request);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const { agentProfileRef, architecture: type, name, metadata } = parsed.data;
    const architecture = this.architectures.get(type);
    if (!architecture) {
      throw new AgentRuntimeError('UNSUPPORTED_ARCHITECTURE', `This runtime does not run "${type}" agents.`, {
        details: { architecture: type, available: [...this.architectures.keys()] },
      });
    }
    const profile = await this.options.persistence.loadAgentProfile(agentProfileRef);
    if (!profile) throw profileNotFoundError(agentProfileRef);
    const now = Date.now();
    const record: SessionListData = {
      sessionId: randomUUID(),
      type,
      agentProfileReference: agentProfileRef,
      status: 'pending',
      createdAt: now,
      lastActivity: now,
      ...(name === undefined ? {} : { name }),
      ...(metadata === undefined ? {} : { metadata }),
    };
    await this.options.persistence.createSessionRecord(record);
    const session = new AgentSession(record, this.sessionDependencies(architecture));
    this.sessions.set(record.sessionId, session);
    await session.initialise(profile);
    this.announceSessions();
    if (this.options.warmSandboxOnCreate ?? true) session.warmUp();
    return session.record;
  }

  listSessions(): SessionListData[] {
    return [...this.sessions.values()].map((session) => session.record);
  }

  async getSession(sessionId: string): Promise<RuntimeSessionData> {
    return this.session(sessionId).getData();
  }

  async sendMessage(sessionId: string, request: SendMessageRequest): Promise<SendMessageResponse> {
    const parsed = sendMessageRequestSchema.safeParse(request);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    if (this.stopping) throw new AgentRuntimeError('SESSION_BUSY', 'The runtime is shutting down.');
    return this.session(sessionId).sendMessage(parsed.data.content, parsed.data.clientMessageId);
  }

  async interrupt(sessionId: string): Promise<{ interrupted: boolean }> {
    return this.session(sessionId).interrupt();
  }

  async terminateSession(sessionId: string): Promise<void> {
    await this.session(sessionId).terminate();
  }

  async readWorkspaceFile(sessionId: string, path: string): Promise<WorkspaceFile> {
    const problem = workspacePathProblem(path);
    if (problem) throw pathRefusedError(path, problem);
    return this.session(sessionId).readFile(path);
  }

  async listAgentProfiles(): Promise<AgentProfileListData[]> {
    return this.options.persistence.listAgentProfiles();
  }

  private session(sessionId: string): AgentSession {
    const session = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (!session) throw sessionNotFoundError(String(sessionId).slice(0, 200));
    return session;
  }

  private makeSession(record: SessionListData): AgentSession | undefined {
    const architecture = this.architectures.get(record.type);
    if (!architecture) return undefined;
    return new AgentSession(record, this.sessionDependencies(architecture));
  }

  private sessionDependencies(architecture: AgentArchitecture) {
    return {
      persistence: this.options.persistence,
      sandboxProvider: this.options.sandboxProvider,
      architecture,
      bus: this.events,
      logger: this.logger,
      settings: this.settings,
      onRecordChanged: () => this.announceSessions(),
    };
  }

  private announceSessions(): void {
    this.events.publish({ event: 'sessions:list', data: { sessions: this.listSessions() } });
  }

  /**
   * Sandboxes left by an earlier run (crash, kill) hold the newest transcripts and files: save
   * what they have into their session, then terminate them.
   */
  private async reapOrphanSandboxes(): Promise<void> {
    const provider = this.options.sandboxProvider;
    if (!provider.list || !provider.attach) return;
    let orphans;
    try {
      orphans = await provider.list({});
    } catch (error) {
      this.logger.warn({ error: errorInfo(error) }, 'could not list sandboxes left by an earlier run');
      return;
    }
    for (const orphan of orphans) {
      try {
        const sandbox = await provider.attach(orphan.id);
        const session = orphan.sessionId === undefined ? undefined : this.sessions.get(orphan.sessionId);
        await session?.recoverFrom(sandbox);
        await sandbox.terminate();
        this.logger.info({ sandboxId: orphan.id, sessionId: orphan.sessionId }, 'recovered and reaped a sandbox left by an earlier run');
      } catch (error) {
        this.logger.warn({ sandboxId: orphan.id, error: errorInfo(error) }, 'could not reap a sandbox left by an earlier run');
      }
    }
  }
}
