import type { EnqueueResult, QueuedTurn, SendMessageRequest, TurnQueueStore } from '@agent-runtime/core';

export interface MemoryTurnQueueStoreOptions {
  /** Finished entries kept per session for `clientMessageId` deduplication. Default 1000. */
  rememberedDone?: number;
}

/**
 * The zero-configuration turn queue: per-session entries in memory. Survives nothing; the
 * durable queues come from the SQLite and PostgreSQL adapters.
 */
export class MemoryTurnQueueStore implements TurnQueueStore {
  private readonly sessions = new Map<string, { nextPosition: number; entries: QueuedTurn[] }>();
  private readonly rememberedDone: number;

  constructor(options: MemoryTurnQueueStoreOptions = {}) {
    this.rememberedDone = options.rememberedDone ?? 1000;
  }

  async enqueue(sessionId: string, request: SendMessageRequest, acceptedAt: string): Promise<EnqueueResult> {
    const session = this.session(sessionId);
    const { clientMessageId } = request;
    if (clientMessageId !== undefined) {
      const earlier = session.entries.find((entry) => entry.clientMessageId === clientMessageId);
      if (earlier) return { turn: { ...earlier }, duplicate: true };
    }
    const turn: QueuedTurn = {
      sessionId,
      position: session.nextPosition++,
      ...(clientMessageId === undefined ? {} : { clientMessageId }),
      request,
      state: 'queued',
      acceptedAt,
    };
    session.entries.push(turn);
    return { turn: { ...turn }, duplicate: false };
  }

  async pending(sessionId: string): Promise<QueuedTurn[]> {
    const entries = this.sessions.get(sessionId)?.entries ?? [];
    const notDone = entries.filter((entry) => entry.state !== 'done').map((entry) => ({ ...entry }));
    return [...notDone.filter((entry) => entry.state === 'running'), ...notDone.filter((entry) => entry.state === 'queued')];
  }

  async markRunning(sessionId: string, position: number, turnId: string): Promise<void> {
    const entry = this.entry(sessionId, position);
    if (entry) Object.assign(entry, { state: 'running', turnId });
  }

  async complete(sessionId: string, position: number, outcome: string): Promise<void> {
    const entry = this.entry(sessionId, position);
    if (!entry) return;
    Object.assign(entry, { state: 'done', outcome });
    const session = this.session(sessionId);
    const done = session.entries.filter((candidate) => candidate.state === 'done');
    if (done.length > this.rememberedDone) {
      const drop = new Set(done.slice(0, done.length - this.rememberedDone));
      session.entries = session.entries.filter((candidate) => !drop.has(candidate));
    }
  }

  async sessionsWithPending(): Promise<string[]> {
    return [...this.sessions].filter(([, session]) => session.entries.some((entry) => entry.state !== 'done')).map(([id]) => id);
  }

  async forget(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
  }

  private session(sessionId: string) {
    let session = this.sessions.get(sessionId);
    if (!session) {
      session = { nextPosition: 1, entries: [] };
      this.sessions.set(sessionId, session);
    }
    return session;
  }

  private entry(sessionId: string, position: number): QueuedTurn | undefined {
    return this.sessions.get(sessionId)?.entries.find((entry) => entry.position === position);
  }
}
