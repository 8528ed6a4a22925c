import { randomUUID } from 'node:crypto';
import {
  AgentRuntimeError,
  profileNotFoundError,
  sessionTerminatedError,
  type AgentArchitecture,
  type AgentEvent,
  type AgentProfile,
  type AnyServerEvent,
  type Logger,
  type PersistenceAdapter,
  type RuntimeSessionData,
  type Sandbox,
  type SandboxProvider,
  type SandboxWatcher,
  type SendMessageResponse,
  type SessionListData,
  type SessionStatus,
  type TokenUsage,
  type TurnOutcome,
  type UserMessageContent,
  type WorkspaceFile,
} from '@agent-runtime/core';
import { errorInfo } from './error-info.js';
import type { SessionEventBus } from './event-bus.js';
import { SerialQueue } from './serial-queue.js';
import { SessionConversations } from './session-conversations.js';
import { DEFAULT_MAX_MIRRORED_FILE_BYTES, type SessionEngineSettings } from './settings.js';
import { TranscriptSync } from './transcript-sync.js';
import { WorkspaceMirror } from './workspace-mirror.js';

export interface AgentSessionDependencies {
  persistence: PersistenceAdapter;
  sandboxProvider: SandboxProvider;
  architecture: AgentArchitecture;
  bus: SessionEventBus;
  logger: Logger;
  settings: SessionEngineSettings;
  /** Called whenever the session record changed (the manager announces `sessions:list`). */
  onRecordChanged(record: SessionListData): void;
}

interface QueuedMessage {
  content: UserMessageContent;
  clientMessageId?: string;
}

interface RunningTurn {
  turnId: string;
  abort: AbortController;
}

type TurnEnd = Extract<AgentEvent, { type: 'turn:end' }>;

/**
 * One session: its record, block state per conversation, workspace mirror, message queue and
 * sandbox lifecycle. Messages run one turn at a time; lifecycle changes (start, idle stop,
 * terminate) are serialised so they never overlap.
 */
export class AgentSession {
  record: SessionListData;
  private readonly conversations = new SessionConversations();
  private readonly mirror: WorkspaceMirror;
  private readonly transcripts: TranscriptSync;
  private readonly lifecycle = new SerialQueue();
  private readonly log: Logger;
  private hydration: Promise<void> | undefined;
  private profile: AgentProfile | undefined;
  private sandbox: Sandbox | undefined;
  private watcher: SandboxWatcher | undefined;
  private readonly queue: QueuedMessage[] = [];
  private running: RunningTurn | undefined;
  private draining: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleWarningTimer: NodeJS.Timeout | undefined;
  private syncTimer: NodeJS.Timeout | undefined;
  private transcriptSyncTimer: NodeJS.Timeout | undefined;
  private readonly answeredMessageIds = new Map<string, SendMessageResponse>();
  private terminated: boolean;

  constructor(
    record: SessionListData,
    private readonly deps: AgentSessionDependencies,
  ) {
    this.record = record;
    this.terminated = record.status === 'completed';
    this.log = deps.logger.child?.({ sessionId: record.sessionId }) ?? deps.logger;
    this.mirror = new WorkspaceMirror({
      sessionId: record.sessionId,
      persistence: deps.persistence,
      logger: this.log,
      maxFileBytes: deps.settings.maxMirroredFileBytes ?? DEFAULT_MAX_MIRRORED_FILE_BYTES,
      isIgnored: (path) => deps.architecture.isAgentConfigPath(path),
      onChange: (kind, path, file) => {
        this.touch();
        this.publish({
          event: `session:file:${kind}`,
          data: kind === 'deleted' ? { sessionId: this.id, path } : { sessionId: this.id, file, path },
        } as AnyServerEvent);
      },
    });
    this.transcripts = new TranscriptSync(record.sessionId, deps.architecture, deps.persistence);
  }

  get id(): string {
    return this.record.sessionId;
  }

  /** A new session: remember its profile, seed its default files. */
  async initialise(profile: AgentProfile): Promise<void> {
    this.profile = profile;
    this.hydration = Promise.resolve();
    await this.mirror.seed(profile.defaultWorkspaceFiles ?? []);
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
    return {
      ...this.record,
      blocks: this.conversations.mainBlocks(),
      workspaceFiles: this.mirror.list(),
      subagents: this.conversations.subagentData(),
      lastEventSeq: this.deps.bus.latestSeq(this.id),
    };
  }

  async readFile(path: string): Promise<WorkspaceFile> {
    await this.hydrate();
    const file = this.mirror.get(path);
    if (!file) {
      throw new AgentRuntimeError('FILE_NOT_FOUND', `No file "${path}" in session "${this.id}".`, {
        details: { sessionId: this.id, path },
      });
    }
    return file;
  }

  /** Accept a message: it runs now, or after the running turn. Idempotent per clientMessageId. */
  async sendMessage(content: UserMessageContent, clientMessageId?: string): Promise<SendMessageResponse> {
    if (this.terminated) throw sessionTerminatedError(this.id);
    if (clientMessageId !== undefined) {
      const earlier = this.answeredMessageIds.get(clientMessageId);
      if (earlier) return earlier;
    }
    await this.hydrate();
    const queued = this.running !== undefined || this.draining !== undefined;
    const response: SendMessageResponse = {
      success: true,
      sessionId: this.id,
      queued,
      ...(clientMessageId === undefined ? {} : { clientMessageId }),
    };
    if (clientMessageId !== undefined) this.rememberMessageId(clientMessageId, response);
    this.queue.push({ content, ...(clientMessageId === undefined ? {} : { clientMessageId }) });
    this.touch();
    this.cancelIdle();
    this.startDraining();
    return response;
  }

  /** Runs queued messages one turn at a time; a message that arrives as the loop ends still runs. */
  private startDraining(): void {
    if (this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0 && !this.terminated) this.startDraining();
    });
  }

  /** Abort the running turn. */
  async interrupt(): Promise<{ interrupted: boolean }> {
    if (!this.running) return { interrupted: false };
    this.running.abort.abort();
    return { interrupted: true };
  }

  /** Start the sandbox ahead of the first message (the reference's `building-sandbox`). */
  warmUp(): void {
    this.lifecycle
      .run(() => this.ensureSandbox())
      .then(() => {
        if (!this.draining) this.armIdle();
      })
      .catch((error) => this.log.warn({ error: errorInfo(error) }, 'sandbox warm-up failed'));
  }

  /** Terminate for good: stop the turn, persist everything, stop the sandbox, status completed. */
  async terminate(): Promise<void> {
    if (this.terminated && !this.sandbox) return;
    this.terminated = true;
    this.queue.length = 0;
    this.running?.abort.abort();
    await this.draining;
    await this.lifecycle.run(() => this.stopSandbox('completed'));
  }

  /** Runtime shutdown: interrupt, persist, stop the sandbox; the session stays resumable. */
  async shutdown(): Promise<void> {
    this.queue.length = 0;
    this.running?.abort.abort();
    await this.draining;
    await this.lifecycle.run(() => this.stopSandbox(this.terminated ? 'completed' : 'inactive'));
  }

  /** After a runtime restart a session cannot still have a sandbox. */
  async markRestarted(): Promise<void> {
    if (this.record.status === 'active' || this.record.status === 'building-sandbox') {
      await this.setStatus('inactive');
    }
  }

  /** Save what a sandbox left by an earlier run still holds (transcripts, files). */
  async recoverFrom(sandbox: Sandbox): Promise<void> {
    await this.hydrate();
    const transcripts = await this.transcripts.sync(sandbox);
    if (transcripts.main !== undefined || transcripts.subagents.length > 0) {
      this.conversations.load(this.deps.architecture.parseTranscripts(transcripts));
    }
    await this.mirror.scan(sandbox);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.terminated) {
      const message = this.queue.shift()!;
      await this.runTurn(message);
    }
    if (!this.terminated) this.armIdle();
  }

  private async runTurn(message: QueuedMessage): Promise<void> {
    const turnId = randomUUID();
    const abort = new AbortController();
    const started = Date.now();
    this.cancelIdle();
    this.running = { turnId, abort };
    this.publish({
      event: 'session:turn:start',
      data: { sessionId: this.id, turnId, ...(message.clientMessageId ? { clientMessageId: message.clientMessageId } : {}) },
    });
    let end: TurnEnd | undefined;
    let timedOut = false;
    const { turnTimeoutMs } = this.deps.settings;
    const turnTimer =
      turnTimeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            abort.abort();
          }, turnTimeoutMs);
    try {
      const sandbox = await this.lifecycle.run(() => this.ensureSandbox());
      const profile = await this.loadProfile();
      if (abort.signal.aborted) throw new AgentRuntimeError('AGENT_ERROR', 'Interrupted before the agent started.');
      this.startPeriodicSync(sandbox);
      const turn = this.deps.architecture.runTurn({
        sessionId: this.id,
        sandbox,
        profile,
        message: message.content,
        turnId,
        signal: abort.signal,
      });
      for await (const event of turn) {
        if (event.type === 'turn:end') end ??= event;
        else this.handleAgentEvent(event, sandbox);
      }
    } catch (error) {
      end ??= {
        type: 'turn:end',
        outcome: abort.signal.aborted ? 'interrupted' : 'error',
        error: errorInfo(error, 'AGENT_ERROR'),
      };
    } finally {
      clearTimeout(turnTimer);
      this.running = undefined;
      this.stopPeriodicSync();
    }
    end ??= abort.signal.aborted
      ? { type: 'turn:end', outcome: 'interrupted' }
      : { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: 'The agent stopped without finishing its turn.' } };
    if (timedOut) {
      end = {
        ...end,
        outcome: 'timeout',
        error: { code: 'TURN_TIMEOUT', message: `The turn took longer than ${turnTimeoutMs} ms and was stopped.` },
      };
    }
    await this.finishTurn(turnId, end, Date.now() - started);
  }

  private async finishTurn(turnId: string, end: TurnEnd, durationMs: number): Promise<void> {
    let outcome: TurnOutcome = end.outcome;
    let error = end.error;
    const sandbox = this.sandbox;
    if (sandbox) {
      const alive = await sandbox.isRunning().catch(() => false);
      if (alive) {
        await this.syncNow(sandbox).catch((syncError) => this.log.error({ error: errorInfo(syncError) }, 'sync failed'));
      } else {
        this.log.warn({ turnId }, 'sandbox died during the turn');
        await this.lifecycle.run(() => this.stopSandbox(this.terminated ? 'completed' : 'inactive'));
        if (outcome === 'completed') outcome = 'error';
        error ??= { code: 'SANDBOX_TERMINATED', message: 'The sandbox stopped during the turn.' };
      }
    }
    this.touch();
    await this.persistRecord({ lastActivity: this.record.lastActivity, metadata: this.record.metadata });
    this.publish({
      event: 'session:turn:end',
      data: {
        sessionId: this.id,
        turnId,
        outcome,
        ...(error ? { error } : {}),
        ...(end.usage ? { usage: end.usage } : {}),
        durationMs,
      },
    });
    if (error && outcome !== 'interrupted') {
      this.publish({ event: 'error', data: { sessionId: this.id, code: error.code, message: error.message } });
    }
  }

  private handleAgentEvent(event: Exclude<AgentEvent, TurnEnd>, sandbox: Sandbox): void {
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
        this.publish({
          event: 'session:subagent:completed',
          data: { sessionId: this.id, subagentId: event.subagentId, status: event.status },
        });
        return;
      case 'metadata':
        this.mergeMetadata(event);
        return;
      case 'transcript:changed':
        this.scheduleTranscriptSync(sandbox);
        return;
    }
  }

  private mergeMetadata(event: Extract<AgentEvent, { type: 'metadata' }>): void {
    const metadata = { ...(this.record.metadata ?? {}) };
    if (event.usage) metadata.usage = addUsage(metadata.usage as TokenUsage | undefined, event.usage);
    if (event.costUsd !== undefined) metadata.costUsd = ((metadata.costUsd as number | undefined) ?? 0) + event.costUsd;
    if (event.model !== undefined) metadata.model = event.model;
    this.record = { ...this.record, metadata };
    this.publish({
      event: 'session:metadata:update',
      data: {
        sessionId: this.id,
        metadata: {
          ...(metadata.usage ? { usage: metadata.usage as TokenUsage } : {}),
          ...(metadata.costUsd !== undefined ? { costUsd: metadata.costUsd as number } : {}),
          ...(metadata.model !== undefined ? { model: metadata.model as string } : {}),
        },
      },
    });
  }

  // --- sandbox lifecycle (always called through `this.lifecycle`) ---

  private async ensureSandbox(): Promise<Sandbox> {
    if (this.sandbox) return this.sandbox;
    if (this.terminated) throw sessionTerminatedError(this.id);
    await this.hydrate();
    const profile = await this.loadProfile();
    await this.setStatus('building-sandbox');
    let sandbox: Sandbox | undefined;
    try {
      sandbox = await this.deps.sandboxProvider.create({
        sessionId: this.id,
        env: this.deps.architecture.sandboxEnv(),
        readOnlyPaths: this.deps.architecture.sandboxReadOnlyPaths(),
        labels: { 'agent-runtime-architecture': this.record.type },
        ...(this.deps.settings.sandboxLimits ? { limits: this.deps.settings.sandboxLimits } : {}),
      });
      await this.mirror.restoreInto(sandbox);
      const saved = await this.deps.persistence.loadSession(this.id);
      const subagents = (saved?.subagents ?? []).flatMap((subagent) =>
        subagent.rawTranscript === undefined ? [] : [{ id: subagent.id, rawTranscript: subagent.rawTranscript }],
      );
      const hasTranscripts = saved?.rawTranscript !== undefined || subagents.length > 0;
      await this.deps.architecture.prepare({
        sessionId: this.id,
        sandbox,
        profile,
        ...(hasTranscripts ? { transcripts: { main: saved?.rawTranscript, subagents } } : {}),
      });
      const ready = sandbox;
      this.watcher = await ready.watch?.((change) => {
        this.mirror.handleChange(ready, change).catch((error) =>
          this.log.error({ error: errorInfo(error), path: change.path }, 'mirroring a workspace change failed'),
        );
      });
    } catch (error) {
      await sandbox?.terminate().catch(() => undefined);
      await this.setStatus('failed');
      throw error;
    }
    this.sandbox = sandbox;
    this.log.info({ sandboxId: sandbox.id, provider: sandbox.provider }, 'sandbox ready');
    await this.setStatus('active');
    return sandbox;
  }

  /** Persist what a running sandbox holds, release it, and set the session's status. */
  private async stopSandbox(status: SessionStatus): Promise<void> {
    this.cancelIdle();
    const sandbox = this.sandbox;
    if (sandbox) {
      if (await sandbox.isRunning().catch(() => false)) {
        await this.syncNow(sandbox).catch((error) => this.log.error({ error: errorInfo(error) }, 'final sync failed'));
      }
      await this.watcher?.close().catch(() => undefined);
      this.watcher = undefined;
      this.sandbox = undefined;
      await sandbox.terminate().catch((error) => this.log.warn({ error: errorInfo(error) }, 'terminate failed'));
      this.log.info({ sandboxId: sandbox.id, status }, 'sandbox stopped');
    }
    await this.mirror.settled();
    if (this.record.status !== status) await this.setStatus(status);
  }

  // --- idle timeout ---

  private armIdle(): void {
    this.cancelIdle();
    if (!this.sandbox || this.terminated) return;
    const { idleTimeoutMs } = this.deps.settings;
    const warnBefore = this.deps.settings.idleWarningMs ?? Math.min(60_000, Math.floor(idleTimeoutMs / 4));
    const idleAt = Date.now() + idleTimeoutMs;
    if (warnBefore > 0 && warnBefore < idleTimeoutMs) {
      this.idleWarningTimer = setTimeout(() => {
        this.publish({ event: 'session:idle:warning', data: { sessionId: this.id, idleAt } });
      }, idleTimeoutMs - warnBefore);
      this.idleWarningTimer.unref();
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.running || this.draining || this.queue.length > 0) return;
      this.log.info({ idleTimeoutMs }, 'idle timeout: stopping the sandbox');
      this.lifecycle
        .run(async () => {
          if (this.running || this.draining) return;
          await this.stopSandbox('inactive');
        })
        .catch((error) => this.log.error({ error: errorInfo(error) }, 'idle stop failed'));
    }, idleTimeoutMs);
    this.idleTimer.unref();
  }

  private cancelIdle(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.idleWarningTimer);
    this.idleTimer = undefined;
    this.idleWarningTimer = undefined;
  }

  // --- sync ---

  private startPeriodicSync(sandbox: Sandbox): void {
    this.stopPeriodicSync();
    this.syncTimer = setInterval(() => {
      this.syncNow(sandbox).catch((error) => this.log.warn({ error: errorInfo(error) }, 'periodic sync failed'));
    }, this.deps.settings.syncIntervalMs);
    this.syncTimer.unref();
  }

  private stopPeriodicSync(): void {
    clearInterval(this.syncTimer);
    clearTimeout(this.transcriptSyncTimer);
    this.syncTimer = undefined;
    this.transcriptSyncTimer = undefined;
  }

  private scheduleTranscriptSync(sandbox: Sandbox): void {
    if (this.transcriptSyncTimer) return;
    this.transcriptSyncTimer = setTimeout(() => {
      this.transcriptSyncTimer = undefined;
      this.transcripts.sync(sandbox).catch((error) => this.log.warn({ error: errorInfo(error) }, 'transcript sync failed'));
    }, this.deps.settings.transcriptSyncDelayMs ?? 250);
    this.transcriptSyncTimer.unref();
  }

  private async syncNow(sandbox: Sandbox): Promise<void> {
    await this.transcripts.sync(sandbox);
    await this.mirror.scan(sandbox);
  }

  // --- record ---

  private async loadProfile(): Promise<AgentProfile> {
    if (this.profile) return this.profile;
    const profile = await this.deps.persistence.loadAgentProfile(this.record.agentProfileReference);
    if (!profile) throw profileNotFoundError(this.record.agentProfileReference);
    this.profile = profile;
    return profile;
  }

  private async setStatus(status: SessionStatus): Promise<void> {
    if (this.record.status === status) return;
    this.record = { ...this.record, status, lastActivity: Date.now() };
    this.publish({ event: 'session:status', data: { sessionId: this.id, status } });
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
    this.record = { ...this.record, lastActivity: Date.now() };
  }

  private rememberMessageId(clientMessageId: string, response: SendMessageResponse): void {
    this.answeredMessageIds.set(clientMessageId, response);
    const limit = this.deps.settings.rememberedMessageIds ?? 1000;
    if (this.answeredMessageIds.size > limit) {
      const oldest = this.answeredMessageIds.keys().next().value;
      if (oldest !== undefined) this.answeredMessageIds.delete(oldest);
    }
  }

  private publish(event: AnyServerEvent): void {
    this.deps.bus.publish(event);
  }
}

function addUsage(total: TokenUsage | undefined, usage: TokenUsage): TokenUsage {
  if (!total) return { ...usage };
  const sum = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const result: TokenUsage = {
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
  };
  const cacheRead = sum(total.cacheReadTokens, usage.cacheReadTokens);
  const cacheWrite = sum(total.cacheWriteTokens, usage.cacheWriteTokens);
  const thinking = sum(total.thinkingTokens, usage.thinkingTokens);
  if (cacheRead !== undefined) result.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) result.cacheWriteTokens = cacheWrite;
  if (thinking !== undefined) result.thinkingTokens = thinking;
  return result;
}
