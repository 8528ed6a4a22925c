import {
  sessionTerminatedError,
  type AgentProfile,
  type AnswerPermissionRequest,
  type AnswerQuestionRequest,
  type AnswerRequestResponse,
  type AnyServerEvent,
  type PermissionResolution,
  type QuestionResolution,
  type Logger,
  type RuntimeSessionData,
  type Sandbox,
  type SendMessageRequest,
  type SendMessageResponse,
  type SessionListData,
  type WorkspaceFile,
  type WorkspaceUpload,
} from '@agent-runtime/core';
import type { AgentSessionDependencies } from './agent-session-dependencies.js';
import { continuationMessage } from './approvals/approval-blocks.js';
import { SessionApprovals } from './approvals/session-approvals.js';
import { errorInfo } from './error-info.js';
import { IdleTimer } from './idle-timer.js';
import { SessionConversations } from './session-conversations.js';
import { SessionData } from './session-data.js';
import { SessionRecovery } from './session-recovery.js';
import { SessionSandbox } from './session-sandbox.js';
import { SessionState } from './session-state.js';
import { SessionStopping } from './session-stopping.js';
import { SessionSync } from './session-sync.js';
import { SessionTurnRunner } from './session-turn-runner.js';
import { SessionWorkspaceFiles } from './session-workspace-files.js';
import { DEFAULT_MAX_MIRRORED_FILE_BYTES, DEFAULT_MAX_QUEUED_MESSAGES, DEFAULT_TURN_TIMEOUT_MS } from './settings.js';
import { TranscriptSync } from './transcript-sync.js';
import { TurnQueue } from './turn-queue.js';
import { WorkspaceMirror } from './workspace-mirror.js';

export type { AgentSessionDependencies } from './agent-session-dependencies.js';

/**
 * One session: its record and block state, wired to its parts — the turn queue (one turn at a
 * time, exactly one turn end) and the turn runner, the sandbox lifecycle, the sync, the idle
 * timer, the workspace mirror, recovery after a restart or a lost node, and stopping.
 */
export class AgentSession {
  private readonly state: SessionState;
  private readonly conversations = new SessionConversations();
  private readonly mirror: WorkspaceMirror;
  private readonly transcripts: TranscriptSync;
  private readonly sandbox: SessionSandbox;
  private readonly turns: TurnQueue;
  private readonly runner: SessionTurnRunner;
  private readonly idle: IdleTimer;
  private readonly sync: SessionSync;
  private readonly log: Logger;
  private readonly approvals: SessionApprovals;
  private readonly recovery: SessionRecovery;
  private readonly stopping: SessionStopping;
  private readonly data: SessionData;
  private readonly files: SessionWorkspaceFiles;

  constructor(
    record: SessionListData,
    private readonly deps: AgentSessionDependencies,
  ) {
    this.log = deps.logger.child?.({ sessionId: record.sessionId }) ?? deps.logger;
    const { settings, clock, bus, architecture } = deps;
    const state = new SessionState(record, { persistence: deps.persistence, bus, clock, logger: this.log, onRecordChanged: (changed) => deps.onRecordChanged(changed) });
    this.state = state;
    this.mirror = new WorkspaceMirror({
      sessionId: record.sessionId,
      persistence: deps.persistence,
      logger: this.log,
      maxFileBytes: settings.maxMirroredFileBytes ?? DEFAULT_MAX_MIRRORED_FILE_BYTES,
      isIgnored: (path) => architecture.isAgentConfigPath(path),
      onChange: (kind, path, file) => {
        state.touch();
        this.publish({
          event: `session:file:${kind}`,
          data: kind === 'deleted' ? { sessionId: this.id, path } : { sessionId: this.id, file, path },
        } as AnyServerEvent);
      },
    });
    this.transcripts = new TranscriptSync({ sessionId: record.sessionId, architecture, persistence: deps.persistence, redactor: deps.redactor });
    this.sandbox = new SessionSandbox({
      sessionId: record.sessionId,
      architectureType: record.type,
      provider: deps.sandboxProvider,
      architecture,
      persistence: deps.persistence,
      mirror: this.mirror,
      settings,
      clock,
      logger: this.log,
      loadProfile: () => state.loadProfile(),
      setStatus: (status, reason) => state.setStatus(status, reason),
      reportProgress: (message) => void this.publish({ event: 'session:status', data: { sessionId: this.id, status: this.record.status, message } }),
      syncNow: (sandbox) => this.sync.now(sandbox),
      onSyncFailure: (error) => {
        const { code, message } = errorInfo(error, 'PERSISTENCE_ERROR');
        this.publish({ event: 'error', data: { sessionId: this.id, code, message: `Saving the session failed; its sandbox is kept: ${message}` } });
      },
      isTerminated: () => state.terminated,
    });
    this.sync = new SessionSync({ sandbox: this.sandbox, transcripts: this.transcripts, mirror: this.mirror, settings, clock, logger: this.log });
    this.turns = new TurnQueue({
      sessionId: record.sessionId,
      store: deps.turnQueueStore,
      clock,
      logger: this.log,
      maxQueuedMessages: settings.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES,
      turnTimeoutMs: settings.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS,
      begin: (turn, turnId) => this.runner.begin(turn, turnId),
      execute: (turn, context) => this.runner.execute(turn, context),
      finish: (_turn, turnId, end, durationMs) => this.runner.finish(turnId, end, durationMs),
      onIdle: () => this.stopping.armIdle(),
    });
    this.idle = new IdleTimer({
      clock,
      idleTimeoutMs: settings.idleTimeoutMs,
      warnBeforeMs: settings.idleWarningMs ?? Math.min(60_000, Math.floor(settings.idleTimeoutMs / 4)),
      onWarning: (idleAt) => this.publish({ event: 'session:idle:warning', data: { sessionId: this.id, idleAt } }),
      onIdle: () => this.stopping.stopWhenIdle(),
    });
    this.approvals = new SessionApprovals({
      sessionId: record.sessionId,
      store: deps.approvalRequestStore,
      clock,
      logger: this.log,
      publish: (event) => this.publish(event),
      redact: (value) => deps.redactor.value(value),
      continueAfter: async (request, resolution) => {
        if (state.terminated) return;
        await this.sendMessage({ content: continuationMessage(request, resolution), clientMessageId: `approval-${request.requestId}` });
      },
    });
    const parts = { state, sandbox: this.sandbox, conversations: this.conversations, bus, logger: this.log };
    this.runner = new SessionTurnRunner({
      ...parts,
      architecture,
      approvals: this.approvals,
      sync: this.sync,
      redactor: deps.redactor,
      clock: deps.clock,
      cancelIdle: () => this.idle.cancel(),
      whileOwner: (sessionId, work) => deps.whileOwner(sessionId, work),
    });
    this.recovery = new SessionRecovery({
      ...parts,
      architecture,
      turns: this.turns,
      transcripts: this.transcripts,
      mirror: this.mirror,
      hydrate: () => this.hydrate(),
      storeTurnEnd: (turnId, publishEnd) => this.runner.storeTurnEnd(turnId, publishEnd),
    });
    this.data = new SessionData({ ...parts, persistence: deps.persistence, architecture, mirror: this.mirror, transcripts: this.transcripts, approvals: this.approvals });
    this.files = new SessionWorkspaceFiles({ state, persistence: deps.persistence, architecture, mirror: this.mirror, sandbox: this.sandbox, hydrate: () => this.hydrate() });
    this.stopping = new SessionStopping({ ...parts, idle: this.idle, approvals: this.approvals, turns: this.turns, idleTimeoutMs: settings.idleTimeoutMs });
  }

  get id(): string {
    return this.state.id;
  }

  get record(): SessionListData {
    return this.state.record;
  }

  set record(record: SessionListData) {
    this.state.record = record;
  }

  /** A new session: remember its profile, seed its default files, then `extraFiles` (a git source) over them. */
  async initialise(profile: AgentProfile, extraFiles: readonly WorkspaceUpload[] = []): Promise<void> {
    this.state.rememberProfile(profile);
    this.data.markLoaded();
    await this.files.seed(profile.defaultWorkspaceFiles ?? [], extraFiles);
  }

  /** Uploaded files: stored, and written into the running sandbox if there is one. */
  writeFiles(uploads: readonly WorkspaceUpload[]): Promise<WorkspaceFile[]> {
    return this.files.write(uploads);
  }

  /** What `writeFiles` refuses before it writes anything (cluster mode: a node that stores an upload for the owner asks too). */
  checkUploads(uploads: readonly WorkspaceUpload[]): void {
    this.files.checkUploads(uploads);
  }

  /** Cluster mode: files another node stored for this session, written into the sandbox and the mirror (see `SessionWorkspaceFiles`). */
  applyStoredFiles(paths: readonly string[]): Promise<number> {
    return this.files.applyStored(paths);
  }

  /** Load blocks and files from storage once (sessions listed at start-up are loaded lazily). */
  hydrate(): Promise<void> {
    return this.data.hydrate();
  }

  getData(): Promise<RuntimeSessionData> {
    return this.data.getData();
  }

  readFile(path: string): Promise<WorkspaceFile> {
    return this.files.read(path);
  }

  /** Accept a message: stored, then run now or after the turns before it. Idempotent per clientMessageId. */
  async sendMessage(request: SendMessageRequest): Promise<SendMessageResponse> {
    if (this.state.terminated) throw sessionTerminatedError(this.id);
    await this.hydrate();
    this.idle.cancel();
    const response = await this.turns.accept(request);
    this.state.touch();
    return response;
  }

  /** Answer a permission request (first answer wins; a second one gets it back with `alreadyResolved`). */
  async answerPermission(requestId: string, answer: AnswerPermissionRequest, by: string): Promise<AnswerRequestResponse<PermissionResolution>> {
    return this.approvals.answerPermission(requestId, answer, by);
  }

  /** Answer an agent question (first answer wins). */
  async answerQuestion(requestId: string, answer: AnswerQuestionRequest, by: string): Promise<AnswerRequestResponse<QuestionResolution>> {
    return this.approvals.answerQuestion(requestId, answer, by);
  }

  /** After a restart: present the pending requests again and arm their timeouts. */
  async recoverApprovals(): Promise<void> {
    if (this.state.terminated) return;
    await this.approvals.recover();
  }

  /** Abort the running turn. */
  async interrupt(): Promise<{ interrupted: boolean }> {
    return { interrupted: this.turns.interrupt() };
  }

  /**
   * Start the sandbox ahead of the first message (the reference's `building-sandbox`); with
   * `agent`, also the agent process (`AgentArchitecture.warm`). False when a turn runs (nothing to warm).
   */
  warmUp(options: { agent?: boolean } = {}): boolean {
    if (this.state.terminated) throw sessionTerminatedError(this.id);
    if (this.turns.busy) return false;
    this.sandbox
      .ensure()
      .then(async (sandbox) => {
        const warm = this.deps.architecture.warm?.bind(this.deps.architecture);
        if (options.agent && warm && !this.turns.busy) await warm({ sessionId: this.id, sandbox, profile: await this.state.loadProfile() });
      })
      .catch((error) => this.log.warn({ error: errorInfo(error) }, 'warm-up failed'))
      .then(() => {
        if (!this.turns.busy) this.stopping.armIdle();
      });
    return true;
  }

  /** Give the session a pooled sandbox (created for its id) to use instead of creating one. */
  adoptSandbox(sandbox: Sandbox): void {
    this.sandbox.adopt(sandbox);
  }

  /** Terminate for good: stop the turn, drop the queue, persist, stop the sandbox, status completed. */
  terminate(): Promise<void> {
    return this.stopping.terminate();
  }

  /** Runtime shutdown: interrupt and persist the running turn, stop the sandbox; queued messages stay stored. */
  shutdown(): Promise<void> {
    return this.stopping.shutdown();
  }

  /** True while a turn runs or accepted messages wait on this node. */
  get busy(): boolean {
    return this.turns.busy;
  }

  /** A newer record from the node that owns the session (cluster mode; this node only shows it). */
  showRecord(record: SessionListData): void {
    this.state.showRecord(record);
  }

  /**
   * Graceful hand-over (cluster drain): let the running turn finish within `graceMs`, run nothing
   * more (queued messages stay stored for the next owner), persist, stop the sandbox.
   */
  drain(graceMs: number): Promise<void> {
    return this.stopping.drain(graceMs);
  }

  /** After a runtime restart: the event log's latest seq, and no sandbox any more. */
  markRestarted(): Promise<void> {
    return this.recovery.markRestarted();
  }

  /** After a restart: end the turn cut short (RUNTIME_RESTARTED, or NODE_LOST), then run the queued messages (see `SessionRecovery`). */
  recoverTurns(lost?: { nodeId: string | undefined }): Promise<void> {
    return this.recovery.recoverTurns(lost);
  }

  /** Save what a sandbox left by an earlier run still holds (transcripts, files). */
  recoverFrom(sandbox: Sandbox): Promise<void> {
    return this.recovery.recoverFrom(sandbox);
  }

  /** Cluster failover: keep using the sandbox a lost node left running (see `SessionRecovery.reattach`). */
  reattach(sandbox: Sandbox): Promise<void> {
    return this.recovery.reattach(sandbox);
  }

  private publish(event: AnyServerEvent): Promise<unknown> {
    return this.deps.bus.publish(event);
  }
}
