import {
  sessionBusyError,
  noopLogger,
  type WorkspaceUpload,
  type AgentArchitecture,
  type AgentProfileListData,
  type CreateSessionRequest,
  type Logger,
  type SessionEngine,
  type TurnQueueStore,
  type AnswerPermissionRequest,
  type AnswerQuestionRequest,
  type AnswerRequestResponse,
  type ApprovalRequestStore,
  type PermissionResolution,
  type QuestionResolution,
  type RuntimeSessionData,
  type SendMessageRequest,
  type SendMessageResponse,
  type SessionListData,
  type WorkspaceFile,
  type LoggedSessionEvent,
  type Sandbox,
  type SandboxInfo,
} from '@agent-runtime/core';
import type { CoordinatedEngine, SessionCommand } from './session-coordinator.js';
import type { AgentSessionDependencies } from './agent-session.js';
import { systemClock, type Clock } from './clock.js';
import { CoordinatedSessions } from './coordinated-sessions.js';
import { MemoryApprovalRequestStore } from './durability/memory-approval-request-store.js';
import { MemoryTurnQueueStore } from './durability/memory-turn-queue-store.js';
import { errorInfo } from './error-info.js';
import { SessionEventBus } from './event-bus.js';
import { SecretRedactor } from './secret-redactor.js';
import { DEFAULT_MAX_MIRRORED_FILE_BYTES, type SessionEngineSettings } from './settings.js';
import { SandboxPool } from './sandbox-pool.js';
import { SessionCommandRouting } from './session-command-routing.js';
import { SessionCreation } from './session-creation.js';
import { engineSettings, type SessionManagerOptions } from './session-manager-options.js';
import { SessionRegistry } from './session-registry.js';
import { StartRecovery } from './start-recovery.js';
import { WorkspaceFileRouting } from './workspace-file-routing.js';

export type { SessionManagerOptions } from './session-manager-options.js';

/**
 * The Session Manager of the reference architecture: loads every session on start, creates,
 * lists and resumes them, routes messages, and owns the event bus. Its parts: the loaded
 * sessions (`SessionRegistry`), session creation, recovery at start, workspace file routing and
 * what a cluster coordinator asks of it (`CoordinatedSessions`).
 */
export class SessionManager implements SessionEngine, CoordinatedEngine {
  readonly events: SessionEventBus;
  private readonly sessions: SessionRegistry;
  private readonly settings: SessionEngineSettings;
  private readonly logger: Logger;
  private readonly turnQueueStore: TurnQueueStore;
  private readonly approvalRequestStore: ApprovalRequestStore;
  private readonly redactor: SecretRedactor;
  private readonly clock: Clock;
  private readonly pool: SandboxPool;
  private readonly creation: SessionCreation;
  private readonly recovery: StartRecovery;
  private readonly files: WorkspaceFileRouting;
  private readonly coordinated: CoordinatedSessions;
  private readonly commands: SessionCommandRouting;
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
    this.pool = new SandboxPool({
      provider: options.sandboxProvider,
      architectures: options.architectures,
      sizes: options.warmPool?.sizes ?? {},
      ...(options.sandboxLimits ? { sandboxLimits: options.sandboxLimits } : {}),
      clock: this.clock,
      logger: this.logger,
    });
    this.settings = engineSettings(options);
    const coordinator = options.coordinator ? { coordinator: options.coordinator } : {};
    const maxFileBytes = this.settings.maxMirroredFileBytes ?? DEFAULT_MAX_MIRRORED_FILE_BYTES;
    this.sessions = new SessionRegistry({
      persistence,
      architectures: options.architectures,
      events: this.events,
      sessionDependencies: (architecture) => this.sessionDependencies(architecture),
      ...coordinator,
    });
    this.creation = new SessionCreation({
      sessions: this.sessions,
      persistence,
      pool: this.pool,
      maxFileBytes,
      warmSandboxOnCreate: options.warmSandboxOnCreate ?? true,
      warmPoolAgentProcess: options.warmPool?.agentProcess !== false,
      isStopping: () => this.stopping,
      ...coordinator,
    });
    const stores = { turnQueueStore: this.turnQueueStore, approvalRequestStore: this.approvalRequestStore };
    this.recovery = new StartRecovery({ sessions: this.sessions, sandboxProvider: options.sandboxProvider, ...stores, logger: this.logger });
    this.files = new WorkspaceFileRouting({ sessions: this.sessions, persistence, maxFileBytes, ...coordinator });
    this.commands = new SessionCommandRouting({
      sessions: this.sessions,
      isStopping: () => this.stopping,
      runLocally: (command) => this.runLocally(command),
      ...coordinator,
    });
    this.coordinated = new CoordinatedSessions({
      sessions: this.sessions,
      persistence,
      sandboxProvider: options.sandboxProvider,
      events: this.events,
      ...stores,
      clock: this.clock,
      logger: this.logger,
      ...coordinator,
    });
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
        const session = this.sessions.make(record);
        if (session) this.sessions.set(record.sessionId, session);
      }
      await coordinator.start(this);
      this.started = true;
      this.stopping = false;
      this.logger.info({ sessions: this.sessions.size }, 'session manager started (cluster mode)');
      return;
    }
    for (const record of records) {
      const session = this.sessions.make(record);
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
    await this.recovery.run();
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
    const running = this.options.coordinator ? [] : this.sessions.all();
    await Promise.all(running.map((session) => session.shutdown().catch((error) => {
      this.logger.error({ sessionId: session.id, error: errorInfo(error) }, 'shutdown of a session failed');
    })));
    // What an architecture keeps running between turns (warm agent processes) ends with it.
    await Promise.all(this.sessions.allArchitectures().map((architecture) => architecture.dispose?.().catch((error: unknown) => {
      this.logger.error({ architecture: architecture.type, error: errorInfo(error) }, 'dispose of an architecture failed');
    })));
    this.started = false;
  }

  isReady(): boolean {
    return this.started && !this.stopping;
  }

  async createSession(request: CreateSessionRequest): Promise<SessionListData> {
    return this.creation.create(request);
  }

  /** The client signals a message is coming: warm the sandbox and the agent process now. */
  async warmSession(sessionId: string): Promise<{ warming: boolean }> {
    if (this.stopping) throw sessionBusyError('The runtime is shutting down.');
    const session = this.sessions.require(sessionId);
    await session.hydrate();
    return { warming: session.warmUp({ agent: true }) };
  }

  /** What the warm pool holds per architecture (empty when it is off). */
  warmPoolStats(): ReturnType<SandboxPool['stats']> {
    return this.pool.stats();
  }

  listSessions(): SessionListData[] {
    return this.sessions.records();
  }

  async getSession(sessionId: string): Promise<RuntimeSessionData> {
    if (this.options.coordinator) return (await this.sessions.known(sessionId)).getData();
    return this.sessions.require(sessionId).getData();
  }

  async sendMessage(sessionId: string, request: SendMessageRequest): Promise<SendMessageResponse> {
    return this.commands.sendMessage(sessionId, request);
  }

  async interrupt(sessionId: string): Promise<{ interrupted: boolean }> {
    return this.commands.interrupt(sessionId);
  }

  /**
   * Answer a permission request: INVALID_INPUT for a bad body, REQUEST_NOT_FOUND for an unknown
   * request. `by` names who answered (a principal id). A second answer changes nothing.
   */
  async answerPermission(sessionId: string, requestId: string, answer: AnswerPermissionRequest, by: string): Promise<AnswerRequestResponse<PermissionResolution>> {
    return this.commands.answerPermission(sessionId, requestId, answer, by);
  }

  /** Answer an agent question (same rules as `answerPermission`). */
  async answerQuestion(sessionId: string, requestId: string, answer: AnswerQuestionRequest, by: string): Promise<AnswerRequestResponse<QuestionResolution>> {
    return this.commands.answerQuestion(sessionId, requestId, answer, by);
  }

  async terminateSession(sessionId: string): Promise<void> {
    return this.commands.terminate(sessionId);
  }

  // --- CoordinatedEngine: what a cluster coordinator asks of this node (see `CoordinatedSessions`) ---

  runLocally(command: SessionCommand): Promise<unknown> {
    return this.coordinated.runLocally(command);
  }

  adopt(sessionId: string, options?: { orphanSandbox?: Sandbox; liveSandbox?: Sandbox; lostNodeId?: string }): Promise<void> {
    return this.coordinated.adopt(sessionId, options);
  }

  sessionsWithPendingWork(): Promise<string[]> {
    return this.coordinated.sessionsWithPendingWork();
  }

  release(sessionId: string, graceMs: number): Promise<void> {
    return this.coordinated.release(sessionId, graceMs);
  }

  abandon(sessionId: string): Promise<void> {
    return this.coordinated.abandon(sessionId);
  }

  showStoredEvent(logged: LoggedSessionEvent): void {
    this.coordinated.showStoredEvent(logged);
  }

  showRecords(records: readonly SessionListData[]): void {
    this.coordinated.showRecords(records);
  }

  sessionIds(): string[] {
    return this.coordinated.sessionIds();
  }

  openLogs(): Promise<void> {
    return this.coordinated.openLogs();
  }

  listSandboxes(labels: Record<string, string>): Promise<SandboxInfo[]> {
    return this.coordinated.listSandboxes(labels);
  }

  attachSandbox(sandboxId: string): Promise<Sandbox | undefined> {
    return this.coordinated.attachSandbox(sandboxId);
  }

  async readWorkspaceFile(sessionId: string, path: string): Promise<WorkspaceFile> {
    return this.files.read(sessionId, path);
  }

  async writeWorkspaceFiles(sessionId: string, files: readonly WorkspaceUpload[]): Promise<WorkspaceFile[]> {
    return this.files.write(sessionId, files);
  }

  async listAgentProfiles(): Promise<AgentProfileListData[]> {
    return this.options.persistence.listAgentProfiles();
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
      onRecordChanged: () => this.sessions.announce(),
      whileOwner: (sessionId, work) => (this.options.coordinator ? this.options.coordinator.whileOwner(sessionId, work) : work()),
    };
  }
}
