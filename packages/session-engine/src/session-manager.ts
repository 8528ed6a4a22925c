import { randomUUID } from 'node:crypto';
import {
  sessionBusyError,
  unsupportedArchitectureError,
  createSessionRequestSchema,
  invalidInputError,
  noopLogger,
  profileNotFoundError,
  sendMessageRequestSchema,
  sessionNotFoundError,
  workspacePathProblem,
  normalizeWorkspacePath,
  AgentRuntimeError,
  type WorkspaceUpload,
  pathRefusedError,
  type AgentArchitecture,
  type AgentArchitectureType,
  type AgentProfile,
  type AgentProfileListData,
  type CreateSessionRequest,
  type Logger,
  type PersistenceAdapter,
  type PersistenceExtensions,
  type SessionEngine,
  type SessionEventLog,
  type TurnQueueStore,
  type AnswerPermissionRequest,
  type AnswerQuestionRequest,
  type AnswerRequestResponse,
  type ApprovalRequestStore,
  type PermissionResolution,
  type QuestionResolution,
  answerPermissionRequestSchema,
  answerQuestionRequestSchema,
  type RuntimeSessionData,
  type SandboxProvider,
  type SendMessageRequest,
  type SendMessageResponse,
  type SessionListData,
  type WorkspaceFile,
  type LoggedSessionEvent,
  type Sandbox,
  type SandboxInfo,
} from '@agent-runtime/core';
import type { CoordinatedEngine, SessionCommand, SessionCoordinator } from './session-coordinator.js';
import { AgentSession, type AgentSessionDependencies } from './agent-session.js';
import { systemClock, type Clock } from './clock.js';
import { MemoryApprovalRequestStore } from './durability/memory-approval-request-store.js';
import { MemoryTurnQueueStore } from './durability/memory-turn-queue-store.js';
import { errorInfo } from './error-info.js';
import { SessionEventBus } from './event-bus.js';
import { SecretRedactor } from './secret-redactor.js';
import { DEFAULT_MAX_MIRRORED_FILE_BYTES, type SessionEngineSettings } from './settings.js';
import { cloneGitSource } from './git-source.js';
import { SandboxPool, type PooledSandbox, type SandboxPoolSizes } from './sandbox-pool.js';
import { ownerFileAnswer, readFileViaOwner, storeUploadsForOwner } from './owner-workspace.js';

export interface SessionManagerOptions extends Partial<SessionEngineSettings> {
  /**
   * The nine-method adapter; when it also offers `sessionEventLog()`, `turnQueueStore()` or
   * `appendTranscript()` (see `PersistenceExtensions`), the engine uses them: seq, queued messages
   * and `clientMessageId`s then survive a restart.
   */
  persistence: PersistenceAdapter & PersistenceExtensions;
  sandboxProvider: SandboxProvider;
  /** One per architecture type the runtime serves. */
  architectures: AgentArchitecture[];
  logger?: Logger;
  /** Share a bus (e.g. with a transport created earlier); a new one over `eventLog` by default. */
  events?: SessionEventBus;
  /** Where events get their seq: default the adapter's `sessionEventLog()`, else in memory. */
  eventLog?: SessionEventLog;
  /** Where accepted messages wait: default the adapter's `turnQueueStore()`, else in memory. */
  turnQueueStore?: TurnQueueStore;
  /** Where permission requests and questions wait: default the adapter's `approvalRequestStore()`, else in memory. */
  approvalRequestStore?: ApprovalRequestStore;
  /**
   * Known secret values (model API keys the runtime holds): replaced by `[REDACTED]` in blocks
   * before they are published and in transcripts before they are stored.
   */
  secretValues?: readonly string[];
  /** Time source for every engine timer (tests pass a fake one). */
  clock?: Clock;
  /** Start a sandbox as soon as a session is created (default true). */
  warmSandboxOnCreate?: boolean;
  /**
   * Spare sandboxes kept ready per architecture (see `SandboxPool`); a new session takes one
   * instead of waiting for a sandbox to be created. With `agentProcess` (default true) such a
   * session also starts its agent process at once. Off by default.
   */
  warmPool?: { sizes: SandboxPoolSizes; agentProcess?: boolean };
  /**
   * Cluster mode: which node runs which session (see `SessionCoordinator`). Absent: this node
   * runs every session (the single-node default).
   */
  coordinator?: SessionCoordinator;
}

/**
 * The Session Manager of the reference architecture: loads every session on start, creates,
 * lists and resumes them, routes messages, and owns the event bus.
 */
export class SessionManager implements SessionEngine, CoordinatedEngine {
  readonly events: SessionEventBus;
  private readonly sessions = new Map<string, AgentSession>();
  private readonly architectures = new Map<AgentArchitectureType, AgentArchitecture>();
  private readonly settings: SessionEngineSettings;
  private readonly logger: Logger;
  private readonly turnQueueStore: TurnQueueStore;
  private readonly approvalRequestStore: ApprovalRequestStore;
  private readonly redactor: SecretRedactor;
  private readonly clock: Clock;
  private readonly pool: SandboxPool;
  private started = false;
  private stopping = false;

  constructor(private readonly options: SessionManagerOptions) {
    this.logger = options.logger ?? noopLogger;
    const persistence = options.persistence;
    const eventLog = options.eventLog ?? persistence.sessionEventLog?.();
    this.events = options.events ?? new SessionEventBus({ ...(eventLog ? { log: eventLog } : {}), logger: this.logger });
    this.turnQueueStore = options.turnQueueStore ?? persistence.turnQueueStore?.() ?? new MemoryTurnQueueStore();
    this.approvalRequestStore = options.approvalRequestStore ?? persistence.approvalRequestStore?.() ?? new MemoryApprovalRequestStore();
    this.redactor = new SecretRedactor(options.secretValues ?? []);
    this.clock = options.clock ?? systemClock;
    for (const architecture of options.architectures) this.architectures.set(architecture.type, architecture);
    this.pool = new SandboxPool({
      provider: options.sandboxProvider,
      architectures: options.architectures,
      sizes: options.warmPool?.sizes ?? {},
      ...(options.sandboxLimits ? { sandboxLimits: options.sandboxLimits } : {}),
      clock: this.clock,
      logger: this.logger,
    });
    this.settings = {
      idleTimeoutMs: options.idleTimeoutMs ?? 15 * 60 * 1000,
      syncIntervalMs: options.syncIntervalMs ?? 30 * 1000,
      ...(options.idleWarningMs === undefined ? {} : { idleWarningMs: options.idleWarningMs }),
      ...(options.sandboxLimits === undefined ? {} : { sandboxLimits: options.sandboxLimits }),
      ...(options.maxMirroredFileBytes === undefined ? {} : { maxMirroredFileBytes: options.maxMirroredFileBytes }),
      ...(options.transcriptSyncDelayMs === undefined ? {} : { transcriptSyncDelayMs: options.transcriptSyncDelayMs }),
      ...(options.rememberedMessageIds === undefined ? {} : { rememberedMessageIds: options.rememberedMessageIds }),
      ...(options.turnTimeoutMs === undefined ? {} : { turnTimeoutMs: options.turnTimeoutMs }),
      ...(options.maxQueuedMessages === undefined ? {} : { maxQueuedMessages: options.maxQueuedMessages }),
      ...(options.coordinator ? { sandboxLabels: options.coordinator.sandboxLabels } : {}),
    };
  }

  /**
   * Load every stored session (`listAllSessions`), reap sandboxes left by a crash, then end the
   * turns a crash cut short (RUNTIME_RESTARTED) and run the messages still queued.
   */
  async start(): Promise<void> {
    if (this.started) return;
    const records = await this.options.persistence.listAllSessions();
    const coordinator = this.options.coordinator;
    if (coordinator) {
      // Every stored session is shown; the coordinator decides which ones this node runs.
      for (const record of records) {
        const session = this.makeSession(record);
        if (session) this.sessions.set(record.sessionId, session);
      }
      await coordinator.start(this);
      this.started = true;
      this.stopping = false;
      this.logger.info({ sessions: this.sessions.size }, 'session manager started (cluster mode)');
      return;
    }
    for (const record of records) {
      const session = this.makeSession(record);
      if (!session) {
        this.logger.warn(
          { sessionId: record.sessionId, type: record.type },
          'no architecture for a stored session; it is not loaded (not listed, not served) until a runtime with that architecture starts',
        );
        continue;
      }
      this.sessions.set(record.sessionId, session);
      await session.markRestarted();
    }
    await this.reapOrphanSandboxes();
    await this.recoverQueuedTurns();
    await this.recoverApprovals();
    // After the reaping: spares are labelled like session sandboxes.
    this.pool.start();
    this.started = true;
    this.stopping = false;
    this.logger.info({ sessions: this.sessions.size }, 'session manager started');
  }

  /** Interrupt running turns, persist everything, stop every sandbox. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.pool.stop();
    // Cluster mode: hand sessions over (idle ones at once, running turns drained) before stopping.
    await this.options.coordinator?.stop().catch((error: unknown) => {
      this.logger.error({ error: errorInfo(error) }, 'leaving the cluster failed');
    });
    // In cluster mode the coordinator handed every session this node ran over; the others are only shown here.
    const running = this.options.coordinator ? [] : [...this.sessions.values()];
    await Promise.all(running.map((session) => session.shutdown().catch((error) => {
      this.logger.error({ sessionId: session.id, error: errorInfo(error) }, 'shutdown of a session failed');
    })));
    // What an architecture keeps running between turns (warm agent processes) ends with it.
    await Promise.all([...this.architectures.values()].map((architecture) => architecture.dispose?.().catch((error: unknown) => {
      this.logger.error({ architecture: architecture.type, error: errorInfo(error) }, 'dispose of an architecture failed');
    })));
    this.started = false;
  }

  isReady(): boolean {
    return this.started && !this.stopping;
  }

  async createSession(request: CreateSessionRequest): Promise<SessionListData> {
    const parsed = createSessionRequestSchema.safeParse(request);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const { agentProfileRef, architecture: type } = parsed.data;
    const architecture = this.architectures.get(type);
    if (!architecture) {
      throw unsupportedArchitectureError(type, [...this.architectures.keys()]);
    }
    const profile = await this.options.persistence.loadAgentProfile(agentProfileRef);
    if (!profile) throw profileNotFoundError(agentProfileRef);
    // Cloned before the record exists: a bad URL or ref leaves no session behind.
    const gitFiles = parsed.data.git ? await cloneGitSource(parsed.data.git, { maxFileBytes: this.maxFileBytes() }) : [];
    // A pooled sandbox was created for a session id chosen then: the session takes that id.
    const spare = this.stopping ? undefined : await this.pool.take(type);
    try {
      return await this.createWith(parsed.data, architecture, profile, gitFiles, spare);
    } catch (error) {
      await spare?.sandbox.terminate().catch(() => undefined);
      throw error;
    }
  }

  private async createWith(
    request: CreateSessionRequest,
    architecture: AgentArchitecture,
    profile: AgentProfile,
    gitFiles: WorkspaceUpload[],
    spare: PooledSandbox | undefined,
  ): Promise<SessionListData> {
    const { agentProfileRef, architecture: type, name, metadata } = request;
    const now = Date.now();
    const record: SessionListData = {
      sessionId: spare?.sessionId ?? randomUUID(),
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
    if (spare) session.adoptSandbox(spare.sandbox);
    await this.options.coordinator?.created(record.sessionId);
    await session.initialise(profile, gitFiles);
    this.announceSessions();
    const agent = request.warm === true || (spare !== undefined && this.options.warmPool?.agentProcess !== false);
    if (spare || agent || (this.options.warmSandboxOnCreate ?? true)) session.warmUp({ agent });
    return session.record;
  }

  /** The client signals a message is coming: warm the sandbox and the agent process now. */
  async warmSession(sessionId: string): Promise<{ warming: boolean }> {
    if (this.stopping) throw sessionBusyError('The runtime is shutting down.');
    const session = this.session(sessionId);
    await session.hydrate();
    return { warming: session.warmUp({ agent: true }) };
  }

  /** What the warm pool holds per architecture (empty when it is off). */
  warmPoolStats(): ReturnType<SandboxPool['stats']> {
    return this.pool.stats();
  }

  listSessions(): SessionListData[] {
    return [...this.sessions.values()].map((session) => session.record);
  }

  async getSession(sessionId: string): Promise<RuntimeSessionData> {
    if (this.options.coordinator) return (await this.known(sessionId)).getData();
    return this.session(sessionId).getData();
  }

  /** Cluster mode: a session another node created moments ago may not be announced here yet; storage has it. */
  private async known(sessionId: string): Promise<AgentSession> {
    const session = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (session) return session;
    const saved = typeof sessionId === 'string' && sessionId.length <= 200 ? await this.options.persistence.loadSession(sessionId) : null;
    const shown = saved ? this.makeSession(recordOf(saved)) : undefined;
    if (!shown) throw sessionNotFoundError(String(sessionId).slice(0, 200));
    this.sessions.set(sessionId, shown);
    await this.events.open(sessionId).catch(() => undefined);
    return shown;
  }

  async sendMessage(sessionId: string, request: SendMessageRequest): Promise<SendMessageResponse> {
    const parsed = sendMessageRequestSchema.safeParse(request);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const coordinator = this.options.coordinator;
    if (coordinator) {
      await this.known(sessionId);
      return (await coordinator.route({ type: 'message', sessionId, request: parsed.data })) as SendMessageResponse;
    }
    if (this.stopping) throw sessionBusyError('The runtime is shutting down.');
    return this.session(sessionId).sendMessage(parsed.data);
  }

  async interrupt(sessionId: string): Promise<{ interrupted: boolean }> {
    const coordinator = this.options.coordinator;
    if (coordinator) {
      await this.known(sessionId);
      return (await coordinator.route({ type: 'interrupt', sessionId })) as { interrupted: boolean };
    }
    return this.session(sessionId).interrupt();
  }

  /**
   * Answer a permission request: INVALID_INPUT for a bad body, REQUEST_NOT_FOUND for an unknown
   * request. `by` names who answered (a principal id). A second answer changes nothing.
   */
  async answerPermission(sessionId: string, requestId: string, answer: AnswerPermissionRequest, by: string): Promise<AnswerRequestResponse<PermissionResolution>> {
    const parsed = answerPermissionRequestSchema.safeParse(answer);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const command = { type: 'answerPermission', sessionId, requestId: String(requestId), answer: parsed.data, by } as const;
    return (await this.routeAnswer(command)) as AnswerRequestResponse<PermissionResolution>;
  }

  /** Answer an agent question (same rules as `answerPermission`). */
  async answerQuestion(sessionId: string, requestId: string, answer: AnswerQuestionRequest, by: string): Promise<AnswerRequestResponse<QuestionResolution>> {
    const parsed = answerQuestionRequestSchema.safeParse(answer);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const command = { type: 'answerQuestion', sessionId, requestId: String(requestId), answer: parsed.data, by } as const;
    return (await this.routeAnswer(command)) as AnswerRequestResponse<QuestionResolution>;
  }

  /** An answer runs where the waiting turn runs: on the owner (cluster mode), else here. */
  private async routeAnswer(command: Extract<SessionCommand, { type: 'answerPermission' | 'answerQuestion' }>): Promise<unknown> {
    const coordinator = this.options.coordinator;
    if (!coordinator) return this.runLocally(command);
    await this.known(command.sessionId);
    return coordinator.route(command);
  }

  async terminateSession(sessionId: string): Promise<void> {
    const coordinator = this.options.coordinator;
    if (coordinator) {
      await this.known(sessionId);
      await coordinator.route({ type: 'terminate', sessionId });
      return;
    }
    await this.session(sessionId).terminate();
  }

  // --- CoordinatedEngine: what a cluster coordinator asks of this node ---

  async runLocally(command: SessionCommand): Promise<unknown> {
    const session = this.session(command.sessionId);
    switch (command.type) {
      case 'message':
        return session.sendMessage(command.request);
      case 'interrupt':
        return session.interrupt();
      case 'terminate':
        await session.terminate();
        return null;
      case 'answerPermission':
        return session.answerPermission(command.requestId, command.answer, command.by);
      case 'answerQuestion':
        return session.answerQuestion(command.requestId, command.answer, command.by);
      case 'filesStored':
        return { applied: await session.applyStoredFiles(command.paths) };
      case 'readFile':
        return ownerFileAnswer(session, command.path);
    }
  }

  async adopt(sessionId: string, options: { orphanSandbox?: Sandbox; liveSandbox?: Sandbox; lostNodeId?: string } = {}): Promise<void> {
    const saved = await this.options.persistence.loadSession(sessionId);
    const current = this.sessions.get(sessionId);
    const record = saved ? recordOf(saved) : current?.record;
    if (!record) throw sessionNotFoundError(sessionId);
    const session = this.makeSession(record);
    if (!session) throw unsupportedArchitectureError(record.type, [...this.architectures.keys()]);
    this.sessions.set(sessionId, session);
    await session.markRestarted();
    let orphan = options.orphanSandbox;
    if (options.liveSandbox) {
      // The lost node's sandbox still runs: keep using it. If that fails, save from it and end it as before.
      const reattached = await session.reattach(options.liveSandbox).then(
        () => true,
        (error: unknown) => {
          this.logger.warn({ sessionId, sandboxId: options.liveSandbox!.id, error: errorInfo(error) }, 'reattaching to the sandbox of a lost node failed; the session gets a new one');
          return false;
        },
      );
      if (!reattached) orphan ??= options.liveSandbox;
    }
    if (orphan) {
      await session.recoverFrom(orphan).catch((error) =>
        this.logger.warn({ sessionId, error: errorInfo(error) }, 'saving from a sandbox left by an earlier run failed'),
      );
      await orphan.terminate().catch(() => undefined);
    }
    await session.recoverTurns({ nodeId: options.lostNodeId });
    // Requests the lost node was waiting on: presented again here, their timeouts armed (as after a restart).
    await session.recoverApprovals().catch((error) => this.logger.error({ sessionId, error: errorInfo(error) }, 'recovering the approval requests of a session failed'));
  }

  async sessionsWithPendingWork(): Promise<string[]> {
    const [turns, requests] = await Promise.all([this.turnQueueStore.sessionsWithPending(), this.approvalRequestStore.sessionsWithPending()]);
    return [...new Set([...turns, ...requests])];
  }

  async release(sessionId: string, graceMs: number): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    await session.drain(graceMs);
    this.showOnly(sessionId);
  }

  async abandon(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    await session.shutdown().catch((error) => this.logger.warn({ sessionId, error: errorInfo(error) }, 'stopping a session whose lease was lost failed'));
    this.showOnly(sessionId);
  }

  showStoredEvent(logged: LoggedSessionEvent): void {
    this.events.deliverStored(logged);
    if (this.options.coordinator?.owns(logged.sessionId)) return;
    const session = this.sessions.get(logged.sessionId);
    if (!session) return;
    const { event } = logged;
    if (event.event === 'session:status') {
      session.showRecord({ ...session.record, status: event.data.status, lastActivity: this.clock.now() });
      this.announceSessions(false);
    } else if (event.event === 'session:turn:end') {
      this.showOnly(logged.sessionId); // blocks are read again from storage on the next getSession
    }
  }

  showRecords(records: readonly SessionListData[]): void {
    let changed = false;
    for (const record of records) {
      if (this.options.coordinator?.owns(record.sessionId)) continue;
      const session = this.sessions.get(record.sessionId);
      if (session) {
        session.showRecord(record);
        changed = true;
        continue;
      }
      const shown = this.makeSession(record);
      if (!shown) continue;
      this.sessions.set(record.sessionId, shown);
      void this.events.open(record.sessionId).catch(() => undefined);
      changed = true;
    }
    if (changed) this.announceSessions(false);
  }

  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  async openLogs(): Promise<void> {
    const ids = this.sessionIds();
    for (let index = 0; index < ids.length; index += 16) {
      await Promise.all(ids.slice(index, index + 16).map((sessionId) => this.events.open(sessionId).catch((error) =>
        this.logger.warn({ sessionId, error: errorInfo(error) }, 'reading the latest seq of a session failed'),
      )));
    }
  }

  async listSandboxes(labels: Record<string, string>): Promise<SandboxInfo[]> {
    const provider = this.options.sandboxProvider;
    if (!provider.list || !provider.attach) return [];
    return provider.list(labels);
  }

  async attachSandbox(sandboxId: string): Promise<Sandbox | undefined> {
    return this.options.sandboxProvider.attach?.(sandboxId);
  }

  /** Replace a session this node does not run with a fresh shown-only one (nothing cached). */
  private showOnly(sessionId: string): void {
    const session = this.sessions.get(sessionId);
    if (!session) return;
    const shown = this.makeSession(session.record);
    if (shown) this.sessions.set(sessionId, shown);
  }

  async readWorkspaceFile(sessionId: string, path: string): Promise<WorkspaceFile> {
    const problem = workspacePathProblem(path);
    if (problem) throw pathRefusedError(path, problem);
    const coordinator = this.options.coordinator;
    if (!coordinator || coordinator.owns(sessionId)) return this.session(sessionId).readFile(path);
    await this.known(sessionId);
    return readFileViaOwner(sessionId, path, this.options.persistence, coordinator);
  }

  async writeWorkspaceFiles(sessionId: string, files: readonly WorkspaceUpload[]): Promise<WorkspaceFile[]> {
    const coordinator = this.options.coordinator;
    const session = coordinator ? await this.known(sessionId) : this.session(sessionId);
    const maxBytes = this.maxFileBytes();
    for (const file of files) {
      const problem = workspacePathProblem(file.path);
      if (problem) throw pathRefusedError(file.path, problem);
      if (file.content.byteLength > maxBytes) {
        throw new AgentRuntimeError('PAYLOAD_TOO_LARGE', `${file.path.slice(0, 200)}: larger than ${maxBytes} bytes.`, {
          details: { path: file.path.slice(0, 200), size: file.content.byteLength, maxBytes },
        });
      }
    }
    const uploads = files.map((file) => ({ path: normalizeWorkspacePath(file.path) ?? file.path, content: file.content }));
    if (!coordinator || coordinator.owns(sessionId)) return session.writeFiles(uploads);
    // Cluster mode, another node (or nobody) runs the session: stored here, applied there.
    try {
      return await storeUploadsForOwner(session, uploads, this.options.persistence, coordinator);
    } finally {
      this.showOnly(sessionId); // this node's copy of the files is stale now
    }
  }

  private maxFileBytes(): number {
    return this.settings.maxMirroredFileBytes ?? DEFAULT_MAX_MIRRORED_FILE_BYTES;
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

  private sessionDependencies(architecture: AgentArchitecture): AgentSessionDependencies {
    return {
      persistence: this.options.persistence,
      sandboxProvider: this.options.sandboxProvider,
      architecture,
      bus: this.events,
      turnQueueStore: this.turnQueueStore,
      approvalRequestStore: this.approvalRequestStore,
      redactor: this.redactor,
      clock: this.clock,
      logger: this.logger,
      settings: this.settings,
      onRecordChanged: () => this.announceSessions(),
      whileOwner: (sessionId, work) => (this.options.coordinator ? this.options.coordinator.whileOwner(sessionId, work) : work()),
    };
  }

  /** `sessions:list` to this node's clients, and (`broadcast`, cluster mode) this node's records to the others. */
  private announceSessions(broadcast = true): void {
    const sessions = this.listSessions();
    this.events.publish({ event: 'sessions:list', data: { sessions } });
    const coordinator = this.options.coordinator;
    if (broadcast && coordinator) coordinator.announced(sessions.filter((session) => coordinator.owns(session.sessionId)));
  }

  /** Sessions whose queue holds entries not done (a crash or a shutdown left them). */
  private async recoverQueuedTurns(): Promise<void> {
    let sessionIds: string[];
    try {
      sessionIds = await this.turnQueueStore.sessionsWithPending();
    } catch (error) {
      this.logger.error({ error: errorInfo(error) }, 'could not read the turn queue; queued messages run when their session gets a new one');
      return;
    }
    for (const sessionId of sessionIds) {
      const session = this.sessions.get(sessionId);
      if (!session) continue;
      await session.recoverTurns().catch((error) =>
        this.logger.error({ sessionId, error: errorInfo(error) }, 'recovering the turn queue of a session failed'),
      );
    }
  }

  /** Sessions with requests still pending after a restart: present them again, arm their timeouts. */
  private async recoverApprovals(): Promise<void> {
    let sessionIds: string[];
    try {
      sessionIds = await this.approvalRequestStore.sessionsWithPending();
    } catch (error) {
      this.logger.error({ error: errorInfo(error) }, 'could not read the pending approval requests');
      return;
    }
    for (const sessionId of sessionIds) {
      await this.sessions.get(sessionId)?.recoverApprovals().catch((error) =>
        this.logger.error({ sessionId, error: errorInfo(error) }, 'recovering the approval requests of a session failed'),
      );
    }
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

/** The list fields of a stored session (what `listAllSessions` gives). */
function recordOf(saved: SessionListData): SessionListData {
  const { sessionId, type, agentProfileReference, name, status, lastActivity, createdAt, metadata } = saved;
  return {
    sessionId,
    type,
    agentProfileReference,
    status,
    ...(name === undefined ? {} : { name }),
    ...(lastActivity === undefined ? {} : { lastActivity }),
    ...(createdAt === undefined ? {} : { createdAt }),
    ...(metadata === undefined ? {} : { metadata }),
  };
}
