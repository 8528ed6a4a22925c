import { randomUUID } from 'node:crypto';
import {
  hasErrorCode,
  tooManyQueuedMessagesError,
  type AgentEvent,
  type Logger,
  type QueuedTurn,
  type SendMessageRequest,
  type SendMessageResponse,
  type TurnQueueStore,
} from '@agent-runtime/core';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';
import { SerialQueue } from './serial-queue.js';

/** Back-off of a drain loop a storage error stopped. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

export type TurnEnd = Extract<AgentEvent, { type: 'turn:end' }>;

export interface TurnContext {
  turnId: string;
  /** Aborted on interrupt, timeout, terminate or shutdown. */
  signal: AbortSignal;
  /**
   * Stop counting the turn timeout (while the turn waits for a person: an approval has its own
   * timeout); call the returned function to count again.
   */
  pauseTimeout(): () => void;
}

export interface TurnQueueOptions {
  sessionId: string;
  store: TurnQueueStore;
  clock: Clock;
  logger: Logger;
  /** Accepted messages that may wait behind the running turn (more: TOO_MANY_QUEUED_MESSAGES). */
  maxQueuedMessages: number;
  /** Stop a turn after this long (outcome `timeout`). */
  turnTimeoutMs?: number;
  /** The turn starts (publish `session:turn:start`). */
  begin(turn: QueuedTurn, turnId: string): void;
  /** Run the turn; resolves with how the agent ended it (or rejects). */
  execute(turn: QueuedTurn, context: TurnContext): Promise<TurnEnd | undefined>;
  /** Persist and publish the one `session:turn:end` of the turn. */
  finish(turn: QueuedTurn, turnId: string, end: TurnEnd, durationMs: number): Promise<void>;
  /** Nothing is queued or running any more. */
  onIdle(): void;
}

/**
 * A session's accepted messages, run one turn at a time in acceptance order. Acceptance is
 * idempotent by `clientMessageId` and stored before it is acknowledged (a durable store keeps it
 * across a restart). Every turn that began ends exactly once: completed, interrupted, error, or
 * timeout after `turnTimeoutMs`.
 */
export class TurnQueue {
  private readonly acceptance = new SerialQueue();
  private running: { turnId: string; abort: AbortController } | undefined;
  private draining: Promise<void> | undefined;
  private stopped = false;
  /** A message arrived while the drain loop was finishing: look at the queue once more. */
  private rewake = false;
  private retryTimer: unknown;
  private retryDelayMs = RETRY_FIRST_MS;

  constructor(private readonly options: TurnQueueOptions) {}

  /** True while a turn runs or accepted messages wait. */
  get busy(): boolean {
    return this.running !== undefined || this.draining !== undefined;
  }

  get runningTurnId(): string | undefined {
    return this.running?.turnId;
  }

  /** Accept a message (stored before this resolves) and start draining. */
  accept(request: SendMessageRequest): Promise<SendMessageResponse> {
    return this.acceptance.run(async () => {
      const { store, sessionId, maxQueuedMessages } = this.options;
      const waiting = (await store.pending(sessionId)).filter((turn) => turn.state === 'queued');
      const repeat = request.clientMessageId !== undefined && waiting.some((turn) => turn.clientMessageId === request.clientMessageId);
      if (!repeat && waiting.length >= maxQueuedMessages) throw tooManyQueuedMessagesError(sessionId, maxQueuedMessages);
      const queued = this.busy || waiting.length > 0;
      const { turn, duplicate } = await store.enqueue(sessionId, request, new Date(this.options.clock.now()).toISOString());
      if (!duplicate && !this.stopped) this.startDraining();
      return {
        success: true,
        sessionId,
        queued: duplicate ? turn.state === 'queued' : queued,
        ...(request.clientMessageId === undefined ? {} : { clientMessageId: request.clientMessageId }),
      };
    });
  }

  /** Abort the running turn. */
  interrupt(): boolean {
    if (!this.running) return false;
    this.running.abort.abort();
    return true;
  }

  /**
   * After a restart: end the turn that was running when the runtime died (`endOrphan` publishes
   * its one turn end), then run what is still queued.
   */
  async recover(endOrphan: (turn: QueuedTurn) => Promise<void>): Promise<void> {
    const { store, sessionId } = this.options;
    for (const turn of await store.pending(sessionId)) {
      if (turn.state !== 'running') continue;
      await endOrphan(turn);
      await store.complete(sessionId, turn.position, 'error');
    }
    this.startDraining();
  }

  /** Stop the running turn and run nothing more; queued messages stay stored. */
  async stop(): Promise<void> {
    this.halt();
    this.running?.abort.abort();
    await this.draining;
  }

  /**
   * Let the running turn finish (at most `graceMs`, then it is aborted), run nothing more; queued
   * messages stay stored for whichever node runs the session next. Resolves when no turn runs.
   */
  async finishRunning(graceMs: number): Promise<void> {
    this.halt();
    const draining = this.draining;
    if (!draining) return;
    const { clock } = this.options;
    let timer: unknown;
    const late = new Promise<void>((resolve) => {
      timer = clock.setTimeout(() => {
        this.running?.abort.abort();
        resolve();
      }, graceMs);
    });
    await Promise.race([draining, late]);
    clock.clearTimeout(timer);
    await this.draining;
  }

  /** Stop, and drop every entry (the session was terminated). */
  async clear(): Promise<void> {
    await this.stop();
    await this.acceptance.idle();
    await this.options.store.forget(this.options.sessionId);
  }

  /**
   * Run queued turns until none is left. A message accepted while the loop is finishing (it read
   * the queue before the message was stored) sets `rewake`, so the loop looks once more instead of
   * leaving the message waiting for the next one. A loop stopped by a storage error tries again
   * after a back-off (doubling, at most 30 s) rather than leave accepted messages unrun.
   */
  private startDraining(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.rewake = true;
      return;
    }
    this.rewake = false;
    let failed = false;
    this.draining = this.drain()
      .then(() => {
        this.retryDelayMs = RETRY_FIRST_MS;
      })
      .catch((error) => {
        failed = true;
        this.options.logger.error({ error: errorInfo(error), retryInMs: this.retryDelayMs }, 'the turn queue stopped on an error; it tries again');
      })
      .finally(() => {
        this.draining = undefined;
        if (this.stopped) return;
        if (failed) this.retryLater();
        else if (this.rewake) this.startDraining();
        else this.options.onIdle();
      });
  }

  /** Run nothing more (a pending retry included). */
  private halt(): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private retryLater(): void {
    const { clock } = this.options;
    if (this.retryTimer !== undefined) return;
    const delayMs = this.retryDelayMs;
    this.retryDelayMs = Math.min(RETRY_MAX_MS, delayMs * 2);
    this.retryTimer = clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.startDraining();
    }, delayMs);
  }

  private async drain(): Promise<void> {
    const { store, sessionId } = this.options;
    while (!this.stopped) {
      const next = (await store.pending(sessionId)).find((turn) => turn.state === 'queued');
      if (!next) return;
      await this.runOne(next);
    }
  }

  private async runOne(turn: QueuedTurn): Promise<void> {
    const { store, sessionId, clock, turnTimeoutMs } = this.options;
    const turnId = randomUUID();
    const abort = new AbortController();
    const started = clock.now();
    await store.markRunning(sessionId, turn.position, turnId);
    this.running = { turnId, abort };
    this.options.begin(turn, turnId);
    let timedOut = false;
    let timer: unknown;
    let remainingMs = turnTimeoutMs ?? 0;
    let armedAt = started;
    let pauses = 0;
    const arm = () => {
      if (turnTimeoutMs === undefined) return;
      armedAt = clock.now();
      timer = clock.setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, remainingMs);
    };
    const pauseTimeout = () => {
      if (pauses++ === 0 && timer !== undefined) {
        clock.clearTimeout(timer);
        timer = undefined;
        remainingMs = Math.max(0, remainingMs - (clock.now() - armedAt));
      }
      let resumed = false;
      return () => {
        if (resumed) return;
        resumed = true;
        if (--pauses === 0 && this.running?.turnId === turnId && !abort.signal.aborted) arm();
      };
    };
    arm();
    let end: TurnEnd | undefined;
    try {
      end = await this.options.execute(turn, { turnId, signal: abort.signal, pauseTimeout });
    } catch (error) {
      end = { type: 'turn:end', outcome: abort.signal.aborted ? 'interrupted' : 'error', error: errorInfo(error, 'AGENT_ERROR') };
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      this.running = undefined;
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
    try {
      await this.options.finish(turn, turnId, end, clock.now() - started);
    } finally {
      await store.complete(sessionId, turn.position, end.outcome).catch((error: unknown) => {
        // Its end is stored: the entry stays `running`, and a recovery finds the end and closes it.
        // Refused because another node took the session: that node ends it; this one stops.
        if (hasErrorCode(error, 'LEASE_LOST')) throw error;
        this.options.logger.error({ turnId, position: turn.position, error: errorInfo(error) }, 'recording the turn as done failed; the next turns run');
      });
    }
  }
}

