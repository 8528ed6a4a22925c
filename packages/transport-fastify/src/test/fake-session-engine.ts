import {
  AgentRuntimeError,
  BlockList,
  profileNotFoundError,
  sessionNotFoundError,
  sessionTerminatedError,
  type AgentProfileListData,
  type AnyServerEvent,
  type ConversationBlock,
  type CreateSessionRequest,
  type RuntimeSessionData,
  type SendMessageRequest,
  type SendMessageResponse,
  type SessionListData,
  type SessionStatus,
  type WorkspaceFile,
} from '@agent-runtime/core';
import { SessionEventBus, type SessionEngine } from '@agent-runtime/session-engine';

export interface FakeSessionEngineOptions {
  /** Events kept per session for replay. Default 2000. */
  replayWindow?: number;
  profiles?: AgentProfileListData[];
  /** The assistant's reply to a message, streamed as deltas of `chunkSize` characters. Default: an echo. */
  reply?: (content: SendMessageRequest['content']) => string;
  /** Characters per delta. Default 4. */
  chunkSize?: number;
}

interface FakeSession {
  record: SessionListData;
  conversations: Map<string, BlockList>;
  subagents: Map<string, { id: string; name?: string; toolUseId?: string; status?: 'pending' | 'running' | 'success' | 'error' }>;
  files: Map<string, WorkspaceFile>;
  acceptedMessages: Map<string, SendMessageResponse>;
  turns: number;
  running: { turnId: string; interrupted: boolean } | undefined;
  /** Messages accepted while a turn runs; they run one after another, like the real engine's queue. */
  queue: SendMessageRequest[];
  draining: boolean;
}

/**
 * An in-memory `SessionEngine` for transport, client and UI tests: sessions, a scripted turn that
 * streams an assistant reply as block events on a real `SessionEventBus`, idempotent messages
 * queued while a turn runs (as `SessionManager` does; never `SESSION_BUSY`), workspace files. Its state is folded from its own events, so `getSession` always matches what
 * was streamed (`lastEventSeq` included).
 */
export class FakeSessionEngine implements SessionEngine {
  readonly events: SessionEventBus;
  ready = true;
  /** Every call, in order (method and arguments). */
  readonly calls: { method: string; args: unknown[] }[] = [];
  private readonly sessions = new Map<string, FakeSession>();
  private readonly profiles: AgentProfileListData[];
  private nextId = 1;

  constructor(private readonly options: FakeSessionEngineOptions = {}) {
    this.events = new SessionEventBus({ replayWindow: options.replayWindow ?? 2000 });
    this.profiles = options.profiles ?? [
      { id: 'code-assistant', name: 'Code assistant', description: 'Writes code' },
      { id: 'reviewer', name: 'Reviewer', architectures: ['gemini-cli'] },
    ];
    this.events.subscribe((event) => this.fold(event));
  }

  async createSession(request: CreateSessionRequest): Promise<SessionListData> {
    this.calls.push({ method: 'createSession', args: [request] });
    if (!this.profiles.some((profile) => profile.id === request.agentProfileRef)) throw profileNotFoundError(request.agentProfileRef);
    const now = Date.now();
    const record: SessionListData = {
      sessionId: `session-${this.nextId++}`,
      type: request.architecture,
      agentProfileReference: request.agentProfileRef,
      status: 'building-sandbox',
      createdAt: now,
      lastActivity: now,
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.metadata === undefined ? {} : { metadata: request.metadata }),
    };
    this.sessions.set(record.sessionId, {
      record,
      conversations: new Map([['main', new BlockList()]]),
      subagents: new Map(),
      files: new Map(),
      acceptedMessages: new Map(),
      turns: 0,
      running: undefined,
      queue: [],
      draining: false,
    });
    this.publishList();
    queueMicrotask(() => this.setStatus(record.sessionId, 'active'));
    return { ...record };
  }

  listSessions(): SessionListData[] {
    return [...this.sessions.values()].map((session) => ({ ...session.record }));
  }

  async getSession(sessionId: string): Promise<RuntimeSessionData> {
    const session = this.require(sessionId);
    return {
      ...session.record,
      blocks: session.conversations.get('main')?.toArray() ?? [],
      workspaceFiles: [...session.files.values()],
      subagents: [...session.subagents.values()].map((subagent) => ({
        ...subagent,
        blocks: session.conversations.get(subagent.id)?.toArray() ?? [],
      })),
      lastEventSeq: this.events.latestSeq(sessionId),
    };
  }

  async sendMessage(sessionId: string, request: SendMessageRequest): Promise<SendMessageResponse> {
    this.calls.push({ method: 'sendMessage', args: [sessionId, request] });
    const session = this.require(sessionId);
    if (session.record.status === 'completed') throw sessionTerminatedError(sessionId);
    if (request.clientMessageId) {
      const earlier = session.acceptedMessages.get(request.clientMessageId);
      if (earlier) return earlier;
    }
    // As the real engine: a message during a turn is queued (never refused) and runs after it.
    const queued = session.draining;
    const response: SendMessageResponse = {
      success: true,
      sessionId,
      queued,
      ...(request.clientMessageId ? { clientMessageId: request.clientMessageId } : {}),
    };
    if (request.clientMessageId) session.acceptedMessages.set(request.clientMessageId, response);
    session.queue.push(request);
    if (!queued) void this.drain(sessionId);
    return response;
  }

  /** Runs queued messages one turn at a time. */
  private async drain(sessionId: string): Promise<void> {
    const session = this.require(sessionId);
    session.draining = true;
    let next = session.queue.shift();
    while (next && session.record.status !== 'completed') {
      const turnId = `turn-${++session.turns}`;
      session.running = { turnId, interrupted: false };
      await this.runTurn(sessionId, turnId, next);
      next = session.queue.shift();
    }
    session.running = undefined;
    session.draining = false;
  }

  async interrupt(sessionId: string): Promise<{ interrupted: boolean }> {
    const session = this.require(sessionId);
    if (!session.running) return { interrupted: false };
    session.running.interrupted = true;
    return { interrupted: true };
  }

  async terminateSession(sessionId: string): Promise<void> {
    const session = this.require(sessionId);
    session.queue.length = 0;
    if (session.running) session.running.interrupted = true;
    this.setStatus(sessionId, 'completed');
    this.publishList();
  }

  async readWorkspaceFile(sessionId: string, path: string): Promise<WorkspaceFile> {
    const file = this.require(sessionId).files.get(path);
    if (!file) throw new AgentRuntimeError('FILE_NOT_FOUND', `File "${path}" does not exist.`, { details: { sessionId, path } });
    return file;
  }

  async listAgentProfiles(): Promise<AgentProfileListData[]> {
    return this.profiles.map((profile) => ({ ...profile }));
  }

  isReady(): boolean {
    return this.ready;
  }

  // ---- helpers for tests and benchmarks -------------------------------------------------------

  /** Publishes any event on the bus (it is folded into the session state like the engine's own). */
  emit(event: AnyServerEvent): void {
    this.events.publish(event);
  }

  /** Starts an assistant_text block and streams `count` deltas synchronously; returns the block id. */
  streamDeltas(sessionId: string, count: number, options: { blockId?: string; text?: (index: number) => string; conversationId?: string } = {}): string {
    const blockId = options.blockId ?? `text-${this.nextId++}`;
    const conversationId = options.conversationId ?? 'main';
    const existing = this.sessions.get(sessionId)?.conversations.get(conversationId)?.get(blockId);
    if (!existing) {
      this.emit({
        event: 'session:block:start',
        data: { sessionId, conversationId, block: { id: blockId, type: 'assistant_text', timestamp: new Date().toISOString(), content: '' } },
      });
    }
    for (let index = 0; index < count; index++) {
      this.emit({ event: 'session:block:delta', data: { sessionId, conversationId, blockId, delta: options.text ? options.text(index) : `${index} ` } });
    }
    return blockId;
  }

  /** Writes a workspace file and publishes `session:file:created` / `modified`. */
  writeFile(sessionId: string, file: WorkspaceFile): void {
    const known = this.require(sessionId).files.has(file.path);
    this.emit({ event: known ? 'session:file:modified' : 'session:file:created', data: { sessionId, file } });
  }

  deleteFile(sessionId: string, path: string): void {
    this.emit({ event: 'session:file:deleted', data: { sessionId, path } });
  }

  setStatus(sessionId: string, status: SessionStatus): void {
    this.emit({ event: 'session:status', data: { sessionId, status } });
  }

  /** Resolves when no turn runs in the session and none is queued. */
  async idle(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId);
    if (!session?.running && !session?.queue.length) return;
    await new Promise<void>((resolve) => {
      const unsubscribe = this.events.subscribe((event) => {
        if (event.event === 'session:turn:end' && event.sessionId === sessionId && !session.running && session.queue.length === 0) {
          unsubscribe();
          resolve();
        }
      });
    });
  }

  private async runTurn(sessionId: string, turnId: string, request: SendMessageRequest): Promise<void> {
    const session = this.require(sessionId);
    const timestamp = () => new Date().toISOString();
    const started = Date.now();
    const userBlock: ConversationBlock = { id: `${turnId}-user`, type: 'user_message', timestamp: timestamp(), content: request.content };
    this.emit({ event: 'session:turn:start', data: { sessionId, turnId, ...(request.clientMessageId ? { clientMessageId: request.clientMessageId } : {}) } });
    this.emit({ event: 'session:block:start', data: { sessionId, conversationId: 'main', block: userBlock } });
    this.emit({ event: 'session:block:complete', data: { sessionId, conversationId: 'main', blockId: userBlock.id, block: userBlock } });
    const reply = (this.options.reply ?? ((content) => `You said: ${typeof content === 'string' ? content : '[parts]'}`))(request.content);
    const blockId = `${turnId}-text`;
    this.emit({
      event: 'session:block:start',
      data: { sessionId, conversationId: 'main', block: { id: blockId, type: 'assistant_text', timestamp: timestamp(), content: '' } },
    });
    const chunkSize = this.options.chunkSize ?? 4;
    let sent = '';
    for (let offset = 0; offset < reply.length; offset += chunkSize) {
      await new Promise((resolve) => setImmediate(resolve));
      if (session.running?.interrupted) break;
      const delta = reply.slice(offset, offset + chunkSize);
      sent += delta;
      this.emit({ event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId, delta } });
    }
    const interrupted = session.running?.interrupted === true;
    this.emit({
      event: 'session:block:complete',
      data: { sessionId, conversationId: 'main', blockId, block: { id: blockId, type: 'assistant_text', timestamp: timestamp(), content: sent, model: 'fake-model' } },
    });
    this.emit({ event: 'session:metadata:update', data: { sessionId, metadata: { model: 'fake-model', costUsd: 0 } } });
    if (session.queue.length === 0) session.running = undefined;
    this.emit({ event: 'session:turn:end', data: { sessionId, turnId, outcome: interrupted ? 'interrupted' : 'completed', durationMs: Date.now() - started } });
  }

  private require(sessionId: string): FakeSession {
    const session = this.sessions.get(sessionId);
    if (!session) throw sessionNotFoundError(sessionId);
    return session;
  }

  private publishList(): void {
    this.emit({ event: 'sessions:list', data: { sessions: this.listSessions() } });
  }

  /** Keeps the snapshot equal to the stream. */
  private fold(event: AnyServerEvent): void {
    const sessionId = (event.data as { sessionId?: string }).sessionId;
    const session = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (!session) return;
    session.record.lastActivity = Date.now();
    const conversation = (id: string) => {
      let list = session.conversations.get(id);
      if (!list) {
        list = new BlockList();
        session.conversations.set(id, list);
      }
      return list;
    };
    switch (event.event) {
      case 'session:block:start':
        conversation(event.data.conversationId).apply({ type: 'block:start', block: event.data.block });
        break;
      case 'session:block:delta':
        conversation(event.data.conversationId).apply({ type: 'block:delta', blockId: event.data.blockId, delta: event.data.delta });
        break;
      case 'session:block:update':
        conversation(event.data.conversationId).apply({ type: 'block:update', blockId: event.data.blockId, updates: event.data.updates });
        break;
      case 'session:block:complete':
        conversation(event.data.conversationId).apply({ type: 'block:complete', blockId: event.data.blockId, block: event.data.block });
        break;
      case 'session:file:created':
      case 'session:file:modified':
        if (event.data.file) session.files.set(event.data.file.path, event.data.file);
        break;
      case 'session:file:deleted': {
        const path = event.data.path ?? event.data.file?.path;
        if (path) session.files.delete(path);
        break;
      }
      case 'session:status':
        session.record.status = event.data.status;
        break;
      case 'session:subagent:discovered':
        session.subagents.set(event.data.subagent.id, { ...event.data.subagent, status: 'running' });
        conversation(event.data.subagent.id);
        break;
      case 'session:subagent:completed': {
        const subagent = session.subagents.get(event.data.subagentId);
        if (subagent) subagent.status = event.data.status;
        break;
      }
      default:
        break;
    }
  }
}

/** A fake engine with default options. */
export function createFakeSessionEngine(options: FakeSessionEngineOptions = {}): FakeSessionEngine {
  return new FakeSessionEngine(options);
}
