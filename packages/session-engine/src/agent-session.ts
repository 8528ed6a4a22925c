import {
  hasErrorCode,
  fileNotFoundError,
  nodeLostError,
  pathRefusedError,
  profileNotFoundError,
  runtimeRestartedError,
  sessionTerminatedError,
  type AgentArchitecture,
  type AgentEvent,
  type AgentProfile,
  type AnswerPermissionRequest,
  type AnswerQuestionRequest,
  type AnswerRequestResponse,
  type AnyServerEvent,
  type ApprovalRequestStore,
  type PermissionResolution,
  type QuestionResolution,
  type Logger,
  type PersistenceAdapter,
  type QueuedTurn,
  type RuntimeSessionData,
  type Sandbox,
  type SandboxProvider,
  type SendMessageRequest,
  type SendMessageResponse,
  type SessionListData,
  type SessionStatus,
  type TurnOutcome,
  type TurnQueueStore,
  type WorkspaceFile,
  type WorkspaceUpload,
  AgentRuntimeError,
  unsupportedOperationError,
} from '@agent-runtime/core';
import { continuationMessage, mergeApprovalBlocks } from './approvals/approval-blocks.js';
import { SessionApprovals } from './approvals/session-approvals.js';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';
import type { SessionEventBus } from './event-bus.js';
import { IdleTimer } from './idle-timer.js';
import { mergeMetadata } from './metadata.js';
import type { SecretRedactor } from './secret-redactor.js';
import { SessionConversations } from './session-conversations.js';
import { restoreCompleted, SessionSandbox, type StatusReason } from './session-sandbox.js';
import { DEFAULT_MAX_MIRRORED_FILE_BYTES, DEFAULT_MAX_QUEUED_MESSAGES, DEFAULT_TURN_TIMEOUT_MS, type SessionEngineSettings } from './settings.js';
import { SyncScheduler } from './sync-scheduler.js';
import { TranscriptSync } from './transcript-sync.js';
import { TurnQueue, type TurnContext, type TurnEnd } from './turn-queue.js';
import { workspaceFileBytes, workspaceFileFromBytes } from './workspace-content.js';
import { WorkspaceMirror } from './workspace-mirror.js';

/** How far back recovery looks for a turn end stored just before a crash. */
const RECENT_EVENTS_CHECKED = 200;

export interface AgentSessionDependencies {
  persistence: PersistenceAdapter;
  sandboxProvider: SandboxProvider;
  architecture: AgentArchitecture;
  bus: SessionEventBus;
  turnQueueStore: TurnQueueStore;
  approvalRequestStore: ApprovalRequestStore;
  redactor: SecretRedactor;
  clock: Clock;
  logger: Logger;
  settings: SessionEngineSettings;
  /** Called whenever the session record changed (the manager announces `sessions:list`). */
  onRecordChanged(record: SessionListData): void;
  /** Run `work` only while this node owns the session (cluster mode: fenced by its lease; one node: at once). */
  whileOwner<T>(sessionId: string, work: () => Promise<T>): Promise<T>;
}

/**
 * One session: its record and block state, wired to its parts — the turn queue (one turn at a
 * time, exactly one turn end), the sandbox lifecycle, the sync scheduler, the idle timer and the
 * workspace mirror.
 */
export class AgentSession {
  record: SessionListData;
  private readonly conversations = new SessionConversations();
  private readonly mirror: WorkspaceMirror;
  private readonly transcripts: TranscriptSync;
  private readonly sandbox: SessionSandbox;
  private readonly turns: TurnQueue;
  private readonly idle: IdleTimer;
  private readonly sync: SyncScheduler;
  private readonly log: Logger;
  private readonly approvals: SessionApprovals;
  private hydration: Promise<void> | undefined;
  private profile: AgentProfile | undefined;
  private terminated: boolean;

  constructor(
    record: SessionListData,
    private readonly deps: AgentSessionDependencies,
  ) {
    this.record = record;
    this.terminated = record.status === 'completed';
    this.log = deps.logger.child?.({ sessionId: record.sessionId }) ?? deps.logger;
    const { settings, clock } = deps;
    this.mirror = new WorkspaceMirror({
      sessionId: record.sessionId,
      persistence: deps.persistence,
      logger: this.log,
      maxFileBytes: settings.maxMirroredFileBytes ?? DEFAULT_MAX_MIRRORED_FILE_BYTES,
      isIgnored: (path) => deps.architecture.isAgentConfigPath(path),
      onChange: (kind, path, file) => {
        this.touch();
        this.publish({
          event: `session:file:${kind}`,
          data: kind === 'deleted' ? { sessionId: this.id, path } : { sessionId: this.id, file, path },
        } as AnyServerEvent);
      },
    });
    this.transcripts = new TranscriptSync({
      sessionId: record.sessionId,
      architecture: deps.architecture,
      persistence: deps.persistence,
      redactor: deps.redactor,
    });
    this.sandbox = new SessionSandbox({
      sessionId: record.sessionId,
      architectureType: record.type,
      provider: deps.sandboxProvider,
      architecture: deps.architecture,
      persistence: deps.persistence,
      mirror: this.mirror,
      settings,
      clock,
      logger: this.log,
      loadProfile: () => this.loadProfile(),
      setStatus: (status, reason) => this.setStatus(status, reason),
      reportProgress: (message) => void this.publish({ event: 'session:status', data: { sessionId: this.id, status: this.record.status, message } }),
      syncNow: (sandbox) => this.syncNow(sandbox),
      onSyncFailure: (error) => {
        const { code, message } = errorInfo(error, 'PERSISTENCE_ERROR');
        this.publish({ event: 'error', data: { sessionId: this.id, code, message: `Saving the session failed; its sandbox is kept: ${message}` } });
      },
      isTerminated: () => this.terminated,
    });
    this.turns = new TurnQueue({
      sessionId: record.sessionId,
      store: deps.turnQueueStore,
      clock,
      logger: this.log,
      maxQueuedMessages: settings.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES,
      turnTimeoutMs: settings.turnTimeoutMs ?? DEFAULT_TURN_TIMEOUT_MS,
      begin: (turn, turnId) => this.beginTurn(turn, turnId),
      execute: (turn, context) => this.executeTurn(turn, context),
      finish: (_turn, turnId, end, durationMs) => this.finishTurn(turnId, end, durationMs),
      onIdle: () => this.armIdle(),
    });
    this.idle = new IdleTimer({
      clock,
      idleTimeoutMs: settings.idleTimeoutMs,
      warnBeforeMs: settings.idleWarningMs ?? Math.min(60_000, Math.floor(settings.idleTimeoutMs / 4)),
      onWarning: (idleAt) => this.publish({ event: 'session:idle:warning', data: { sessionId: this.id, idleAt } }),
      onIdle: () => this.stopWhenIdle(),
    });
    this.approvals = new SessionApprovals({
      sessionId: record.sessionId,
      store: deps.approvalRequestStore,
      clock,
      logger: this.log,
      publish: (event) => this.publish(event),
      redact: (value) => deps.redactor.value(value),
      continueAfter: async (request, resolution) => {
        if (this.terminated) return;
        await this.sendMessage({ content: continuationMessage(request, resolution), clientMessageId: `approval-${request.requestId}` });
      },
    });
    this.sync = new SyncScheduler({
      clock,
      logger: this.log,
      intervalMs: settings.syncIntervalMs,
      transcriptDelayMs: settings.transcriptSyncDelayMs ?? 250,
      syncAll: async () => {
        const sandbox = this.sandbox.current;
        if (sandbox) await this.syncNow(sandbox);
      },
      syncTranscripts: async () => {
        const sandbox = this.sandbox.current;
        if (sandbox) await this.transcripts.syncChanges(sandbox);
      },
    });
  }

  get id(): string {
    return this.record.sessionId;
  }

  /** A new session: remember its profile, seed its default files, then `extraFiles` (a git source) over them. */
  async initialise(profile: AgentProfile, extraFiles: readonly WorkspaceUpload[] = []): Promise<void> {
    this.profile = profile;
    this.hydration = Promise.resolve();
    await this.mirror.seed(profile.defaultWorkspaceFiles ?? []);
    const own = extraFiles.filter((upload) => !this.deps.architecture.isAgentConfigPath(upload.path));
    if (own.length > 0) await this.mirror.seed(own.map((upload) => workspaceFileFromBytes(upload.path, upload.content)));
  }

  /** Uploaded files: stored, and written into the running sandbox if there is one. */
  async writeFiles(uploads: readonly WorkspaceUpload[]): Promise<WorkspaceFile[]> {
    this.checkUploads(uploads);
    await this.hydrate();
    const written = await this.mirror.write(this.sandbox.current, uploads);
    this.touch();
    return written;
  }

  /** What `writeFiles` refuses before it writes anything (cluster mode: a node that stores an upload for the owner asks too). */
  checkUploads(uploads: readonly WorkspaceUpload[]): void {
    if (this.terminated) throw sessionTerminatedError(this.id);
    for (const upload of uploads) {
      if (this.deps.architecture.isAgentConfigPath(upload.path)) throw pathRefusedError(upload.path, 'the agent configuration owns this path');
    }
  }

  /**
   * Cluster mode: files another node stored for this session (an upload that reached it): read
   * fresh from storage and written into the running sandbox and the mirror (not stored again).
   * Paths storage no longer has (deleted since) are skipped. Returns how many were written.
   */
  async applyStoredFiles(paths: readonly string[]): Promise<number> {
    const own = paths.filter((path) => !this.deps.architecture.isAgentConfigPath(path));
    if (this.terminated || own.length === 0) return 0;
    await this.hydrate();
    const saved = await this.deps.persistence.loadSession(this.id);
    const stored = new Map((saved?.workspaceFiles ?? []).map((file) => [file.path, file]));
    const uploads = own.flatMap((path) => {
      const file = stored.get(path);
      return file ? [{ path, content: workspaceFileBytes(file) }] : [];
    });
    await this.mirror.write(this.sandbox.current, uploads, { alreadyStored: true });
    this.touch();
    return uploads.length;
  }

  /** Load blocks and files from storage once (sessions listed at start-up are loaded lazily). */
  hydrate(): Promise<void> {
    this.hydration ??= (async () => {
      const saved = await this.deps.persistence.loadSession(this.id);
      if (!saved) return;
      this.mirror.load(saved.workspaceFiles);
      const stored = {
        main: saved.rawTranscript,
        subagents: (saved.subagents ?? []).flatMap((subagent) =>
          subagent.rawTranscript === undefined ? [] : [{ id: subagent.id, rawTranscript: subagent.rawTranscript }],
        ),
      };
      this.transcripts.remember(stored);
      if (stored.main !== undefined || stored.subagents.length > 0) {
        this.conversations.load(this.deps.architecture.parseTranscripts(stored));
      }
    })().catch((error) => {
      this.hydration = undefined;
      throw error;
    });
    return this.hydration;
  }

  async getData(): Promise<RuntimeSessionData> {
    await this.hydrate();
    const approvals = await this.approvals.blocks();
    const pendingRequests = approvals.filter((block) => block.status === 'pending').map((block) => block.request);
    const inConversation = (conversationId: string) => approvals.filter((block) => block.request.conversationId === conversationId);
    return {
      ...this.record,
      blocks: mergeApprovalBlocks(this.conversations.mainBlocks(), inConversation('main')),
      workspaceFiles: this.mirror.list(),
      subagents: this.conversations.subagentData().map((subagent) => ({ ...subagent, blocks: mergeApprovalBlocks(subagent.blocks, inConversation(subagent.id)) })),
      lastEventSeq: this.deps.bus.latestSeq(this.id),
      ...(pendingRequests.length > 0 ? { pendingRequests } : {}),
    };
  }

  async readFile(path: string): Promise<WorkspaceFile> {
    await this.hydrate();
    const file = this.mirror.get(path);
    if (!file) throw fileNotFoundError(path, { sessionId: this.id });
    return file;
  }

  /** Accept a message: stored, then run now or after the turns before it. Idempotent per clientMessageId. */
  async sendMessage(request: SendMessageRequest): Promise<SendMessageResponse> {
    if (this.terminated) throw sessionTerminatedError(this.id);
    await this.hydrate();
    this.idle.cancel();
    const response = await this.turns.accept(request);
    this.touch();
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
    if (this.terminated) return;
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
    if (this.terminated) throw sessionTerminatedError(this.id);
    if (this.turns.busy) return false;
    this.sandbox
      .ensure()
      .then(async (sandbox) => {
        const warm = this.deps.architecture.warm?.bind(this.deps.architecture);
        if (options.agent && warm && !this.turns.busy) await warm({ sessionId: this.id, sandbox, profile: await this.loadProfile() });
      })
      .catch((error) => this.log.warn({ error: errorInfo(error) }, 'warm-up failed'))
      .then(() => {
        if (!this.turns.busy) this.armIdle();
      });
    return true;
  }

  /** Give the session a pooled sandbox (created for its id) to use instead of creating one. */
  adoptSandbox(sandbox: Sandbox): void {
    this.sandbox.adopt(sandbox);
  }

  /** Terminate for good: stop the turn, drop the queue, persist, stop the sandbox, status completed. */
  async terminate(): Promise<void> {
    if (this.terminated && !this.sandbox.current) return;
    this.terminated = true;
    this.idle.cancel();
    await this.approvals.terminate().catch((error) => this.log.error({ error: errorInfo(error) }, 'answering pending requests at terminate failed'));
    await this.turns.clear();
    await this.sandbox.stop('completed');
    await this.deps.bus.forget(this.id);
  }

  /** Runtime shutdown: interrupt and persist the running turn, stop the sandbox; queued messages stay stored. */
  async shutdown(): Promise<void> {
    this.idle.cancel();
    this.approvals.detach();
    await this.turns.stop();
    await this.sandbox.stop(this.terminated ? 'completed' : 'inactive', undefined, 'stopped');
    await this.deps.bus.flushed(this.id);
  }

  /** True while a turn runs or accepted messages wait on this node. */
  get busy(): boolean {
    return this.turns.busy;
  }

  /** A newer record from the node that owns the session (cluster mode; this node only shows it). */
  showRecord(record: SessionListData): void {
    this.record = record;
    this.terminated = record.status === 'completed';
  }

  /**
   * Graceful hand-over (cluster drain): let the running turn finish within `graceMs`, run nothing
   * more (queued messages stay stored for the next owner), persist, stop the sandbox.
   */
  async drain(graceMs: number): Promise<void> {
    this.idle.cancel();
    // A turn waiting for a person is handed over at once, as at a shutdown: its request stays
    // pending and the next owner presents it again. Waiting out the grace would only deny it.
    this.approvals.whenWaiting(() => {
      this.approvals.detach();
      this.turns.interrupt();
    });
    await this.turns.finishRunning(graceMs);
    // Requests still pending stay so for the next owner, which arms their timeouts: none fires here.
    this.approvals.detach();
    await this.sandbox.stop(this.terminated ? 'completed' : 'inactive', undefined, 'stopped');
    await this.deps.bus.flushed(this.id);
  }

  /** After a runtime restart: the event log's latest seq, and no sandbox any more. */
  async markRestarted(): Promise<void> {
    await this.deps.bus.open(this.id);
    if (this.record.status === 'active' || this.record.status === 'building-sandbox') {
      await this.setStatus('inactive');
    }
  }

  /**
   * After a restart: end the turn that was running when the runtime died (one `error` turn end,
   * RUNTIME_RESTARTED, or NODE_LOST when `lost` names another node that died), then run the
   * messages still queued, in order.
   */
  async recoverTurns(lost?: { nodeId: string | undefined }): Promise<void> {
    if (this.terminated) return;
    await this.turns.recover(async (turn: QueuedTurn) => {
      const turnId = turn.turnId ?? `restarted-${turn.position}`;
      if (await this.turnEndLogged(turnId)) return; // it ended; the crash came before the queue recorded it
      // In a cluster, the turn was cut by the death of another node (NODE_LOST), not by our own restart.
      const error = lost ? nodeLostError(turnId, lost.nodeId) : runtimeRestartedError(turnId);
      const cause = lost ? 'the loss of its node' : 'a runtime restart';
      this.log.warn({ turnId, position: turn.position, code: error.code, lostNodeId: lost?.nodeId }, `ending a turn cut short by ${cause}`);
      await this.storeTurnEnd(turnId, () => {
        this.publish({ event: 'session:turn:end', data: { sessionId: this.id, turnId, outcome: 'error', error: { code: error.code, message: error.message } } });
        this.publish({ event: 'error', data: { sessionId: this.id, code: error.code, message: error.message } });
      });
    });
  }

  /**
   * True when the event log already holds the turn's end. The queue records a turn as done just
   * after its end was stored, so a crash in between leaves it `running` with its end among the
   * session's last events. When the recent events hold neither the turn's start nor its end (its
   * `complete` failed and later turns ran), the whole log is read: this is the recovery path only,
   * and a second end for a turn that ended long ago must never be published.
   */
  private async turnEndLogged(turnId: string): Promise<boolean> {
    const latest = this.deps.bus.latestSeq(this.id);
    const ended = (events: readonly AnyServerEvent[]) => events.some((event) => event.event === 'session:turn:end' && event.data.turnId === turnId);
    const started = (events: readonly AnyServerEvent[]) => events.some((event) => event.event === 'session:turn:start' && event.data.turnId === turnId);
    const recent = await this.deps.bus.replay(this.id, Math.max(0, latest - RECENT_EVENTS_CHECKED));
    if (recent.kind === 'events') {
      if (ended(recent.events)) return true;
      if (started(recent.events)) return false;
    }
    let whole = await this.deps.bus.replay(this.id, 0);
    if (whole.kind === 'resync') whole = await this.deps.bus.replay(this.id, whole.oldestSeq - 1); // the oldest events were trimmed
    return whole.kind === 'events' && ended(whole.events);
  }

  /** Save what a sandbox left by an earlier run still holds (transcripts, files). */
  async recoverFrom(sandbox: Sandbox): Promise<void> {
    await this.hydrate();
    if (!(await restoreCompleted(sandbox))) {
      // Its restore never finished, so no agent ran in it: storage already holds everything,
      // and a file missing from it is a file not yet restored, not a deletion.
      this.log.warn({ sandboxId: sandbox.id }, 'a sandbox left by an earlier run never finished its restore; nothing taken from it');
      return;
    }
    const transcripts = await this.transcripts.sync(sandbox);
    if (transcripts.main !== undefined || transcripts.subagents.length > 0) {
      this.conversations.load(this.deps.architecture.parseTranscripts(transcripts));
    }
    await this.mirror.scan(sandbox);
  }

  /**
   * Cluster failover: keep using the sandbox a lost node left running (Modal) instead of a new
   * one. The processes that node left in it (an agent CLI nobody reads) are stopped first, so no
   * second agent works in the workspace; then its transcripts and files are stored and become the
   * session's state, with no restore over them. The next turn runs in it and resumes from its
   * transcript. Rejects when it cannot be reattached — it never finished its restore, its
   * provider cannot stop leftover processes, or a call failed — with nothing taken over.
   */
  async reattach(sandbox: Sandbox): Promise<void> {
    await this.hydrate();
    if (!sandbox.stopLeftoverProcesses) throw unsupportedOperationError(sandbox.provider, 'stopLeftoverProcesses');
    if (!(await restoreCompleted(sandbox))) {
      throw new AgentRuntimeError('SANDBOX_ERROR', 'The sandbox never finished its restore; it is not reattached.', { details: { sandboxId: sandbox.id } });
    }
    await sandbox.stopLeftoverProcesses();
    await this.sandbox.reattach(sandbox, async (live) => {
      const transcripts = await this.transcripts.sync(live);
      if (transcripts.main !== undefined || transcripts.subagents.length > 0) {
        this.conversations.load(this.deps.architecture.parseTranscripts(transcripts));
      }
      await this.mirror.scan(live);
    });
  }

  // --- one turn (driven by the turn queue) ---

  private beginTurn(turn: QueuedTurn, turnId: string): void {
    this.idle.cancel();
    const { clientMessageId } = turn;
    this.publish({ event: 'session:turn:start', data: { sessionId: this.id, turnId, ...(clientMessageId ? { clientMessageId } : {}) } });
  }

  private async executeTurn(turn: QueuedTurn, { turnId, signal, pauseTimeout }: TurnContext): Promise<TurnEnd | undefined> {
    const sandbox = await this.sandbox.ensure();
    const profile = await this.loadProfile();
    if (signal.aborted) return { type: 'turn:end', outcome: 'interrupted' };
    this.sync.start();
    let end: TurnEnd | undefined;
    try {
      const approvals = profile.toolPolicy ? this.approvals.forTurn(profile.toolPolicy, signal, pauseTimeout) : undefined;
      const events = this.deps.architecture.runTurn({ sessionId: this.id, sandbox, profile, message: turn.request.content, turnId, signal, ...(approvals ? { approvals } : {}) });
      for await (const event of events) {
        if (event.type === 'turn:end') end ??= event;
        else this.handleAgentEvent(event);
      }
    } finally {
      this.sync.stop();
    }
    return end;
  }

  private async finishTurn(turnId: string, end: TurnEnd, durationMs: number): Promise<void> {
    let outcome: TurnOutcome = end.outcome;
    let error = end.error;
    const sandbox = this.sandbox.current;
    if (sandbox) {
      if (await sandbox.isRunning().catch(() => false)) {
        await this.syncNow(sandbox).catch((syncError) => this.log.error({ error: errorInfo(syncError) }, 'sync at turn end failed'));
      } else {
        this.log.warn({ turnId }, 'sandbox died during the turn');
        await this.sandbox.stop(this.terminated ? 'completed' : 'inactive');
        if (outcome === 'completed') outcome = 'error';
        error ??= { code: 'SANDBOX_TERMINATED', message: 'The sandbox stopped during the turn.' };
      }
    }
    this.touch();
    await this.persistRecord({ lastActivity: this.record.lastActivity, metadata: this.record.metadata });
    const usage = end.usage;
    await this.storeTurnEnd(turnId, () => {
      this.publish({
        event: 'session:turn:end',
        data: { sessionId: this.id, turnId, outcome, ...(error ? { error } : {}), ...(usage ? { usage } : {}), durationMs },
      });
      if (error && outcome !== 'interrupted') {
        this.publish({ event: 'error', data: { sessionId: this.id, code: error.code, message: error.message } });
      }
    });
  }

  /**
   * Publish a turn's end and wait until it is stored, as the session's owner: a node that lost the
   * session meanwhile publishes nothing (its successor ends the turn with `NODE_LOST`).
   */
  private async storeTurnEnd(turnId: string, publishEnd: () => void): Promise<void> {
    try {
      await this.deps.whileOwner(this.id, async () => {
        publishEnd();
        await this.deps.bus.flushed(this.id);
      });
    } catch (error) {
      if (!hasErrorCode(error, 'LEASE_LOST')) throw error;
      this.log.warn({ turnId }, 'this node lost the session before the turn ended; the node that took it ends the turn');
    }
  }

  private handleAgentEvent(agentEvent: Exclude<AgentEvent, TurnEnd>): void {
    const event = this.deps.redactor.value(agentEvent);
    switch (event.type) {
      case 'block:start':
      case 'block:delta':
      case 'block:update':
      case 'block:complete': {
        const { type, ...payload } = event;
        this.conversations.list(event.conversationId).apply(event);
        this.publish({ event: `session:${type}`, data: { sessionId: this.id, ...payload } } as AnyServerEvent);
        return;
      }
      case 'subagent:discovered': {
        const state = this.conversations.subagent(event.subagent.id);
        if (event.subagent.name !== undefined) state.name = event.subagent.name;
        if (event.subagent.toolUseId !== undefined) state.toolUseId = event.subagent.toolUseId;
        state.status = 'running';
        this.publish({ event: 'session:subagent:discovered', data: { sessionId: this.id, subagent: event.subagent } });
        return;
      }
      case 'subagent:completed':
        this.conversations.subagent(event.subagentId).status = event.status;
        this.publish({ event: 'session:subagent:completed', data: { sessionId: this.id, subagentId: event.subagentId, status: event.status } });
        return;
      case 'metadata': {
        const { metadata, update } = mergeMetadata(this.record.metadata, event);
        this.record = { ...this.record, metadata };
        this.publish({ event: 'session:metadata:update', data: { sessionId: this.id, metadata: update } });
        return;
      }
      case 'transcript:changed':
        this.sync.transcriptChanged();
        return;
    }
  }

  // --- idle stop ---

  private armIdle(): void {
    if (!this.sandbox.current || this.terminated) return;
    this.idle.arm();
  }

  private stopWhenIdle(): void {
    if (this.turns.busy) return;
    this.log.info({ idleTimeoutMs: this.deps.settings.idleTimeoutMs }, 'idle timeout: stopping the sandbox');
    this.sandbox
      .stop('inactive', () => !this.turns.busy, 'idle')
      .then((stopped) => {
        // Storing failed: the sandbox is kept; try again after another idle period.
        if (!stopped) this.armIdle();
      })
      .catch((error) => this.log.error({ error: errorInfo(error) }, 'idle stop failed'));
  }

  // --- sync and record ---

  private async syncNow(sandbox: Sandbox): Promise<void> {
    await this.transcripts.syncChanges(sandbox);
    await this.mirror.scan(sandbox);
  }

  private async loadProfile(): Promise<AgentProfile> {
    if (this.profile) return this.profile;
    const profile = await this.deps.persistence.loadAgentProfile(this.record.agentProfileReference);
    if (!profile) throw profileNotFoundError(this.record.agentProfileReference);
    this.profile = profile;
    return profile;
  }

  private async setStatus(status: SessionStatus, reason?: StatusReason): Promise<void> {
    if (this.record.status === status) return;
    this.record = { ...this.record, status, lastActivity: this.deps.clock.now() };
    this.publish({ event: 'session:status', data: { sessionId: this.id, status, ...(reason ? { reason } : {}) } });
    await this.persistRecord({ status, lastActivity: this.record.lastActivity });
    this.deps.onRecordChanged(this.record);
  }

  private async persistRecord(updates: Partial<SessionListData>): Promise<void> {
    try {
      await this.deps.persistence.updateSessionRecord(this.id, updates);
    } catch (error) {
      this.log.error({ error: errorInfo(error) }, 'updating the session record failed');
    }
  }

  private touch(): void {
    this.record = { ...this.record, lastActivity: this.deps.clock.now() };
  }

  private publish(event: AnyServerEvent): Promise<unknown> {
    return this.deps.bus.publish(event);
  }
}
