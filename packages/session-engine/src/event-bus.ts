import {
  noopLogger,
  type AnyServerEvent,
  type BusEvent,
  type BusListener,
  type Logger,
  type LoggedSessionEvent,
  type ReplayResult,
  type SessionEventLog,
  type SessionEventSource,
} from '@agent-runtime/core';
import { MemorySessionEventLog } from './durability/memory-session-event-log.js';
import { errorInfo } from './error-info.js';

export type { BusEvent, BusListener, ReplayResult } from '@agent-runtime/core';

export interface SessionEventBusOptions {
  /** Where session events get their `seq` and are kept for replay. Default: an in-memory ring. */
  log?: SessionEventLog;
  /** Events kept per session by the default in-memory log. Default 2000. */
  replayWindow?: number;
  /**
   * Drop a block's deltas from the log once its `block:complete` is stored (when the log can
   * `discard`): the log stays small and a replay folds to the same state, but a replaying client
   * then sees gaps in `seq` where the deltas were. Default false (every seq is replayed).
   */
  discardCompletedDeltas?: boolean;
  logger?: Logger;
}

interface WaitingEvent {
  event: AnyServerEvent;
  resolve(delivered: BusEvent | undefined): void;
}

interface SessionChain {
  /** Events waiting for the append in flight to finish; they go in the next append. */
  waiting: WaitingEvent[];
  /** The append-and-deliver loop, while it runs. */
  flushing: Promise<void> | undefined;
  /** Seqs of `block:delta` events by block id, until the block completes. */
  deltaSeqs: Map<string, number[]>;
}

function sessionIdOf(event: AnyServerEvent): string | undefined {
  const data = event.data as { sessionId?: unknown };
  return typeof data.sessionId === 'string' ? data.sessionId : undefined;
}

/**
 * The engine's event bus. A session event is appended to the session's event log first — which
 * gives it its `seq` — and reaches listeners only once the append resolved, so no client ever
 * sees a `seq` the log could hand out again. Appends are batched per session (whatever was
 * published while one is in flight goes in the next), order is kept per session, and delivery
 * is synchronous per batch. A throwing listener is logged and never affects the others.
 */
export class SessionEventBus implements SessionEventSource {
  readonly log: SessionEventLog;
  private readonly listeners = new Set<BusListener>();
  private readonly chains = new Map<string, SessionChain>();
  private readonly latest = new Map<string, number>();
  private readonly logger: Logger;
  private readonly discardCompletedDeltas: boolean;
  /** True when the log is our own in-memory ring (then `forget` frees it). */
  private readonly ownsLog: boolean;

  constructor(options: SessionEventBusOptions = {}) {
    this.ownsLog = options.log === undefined;
    this.log = options.log ?? new MemorySessionEventLog({ window: options.replayWindow ?? 2000 });
    this.logger = options.logger ?? noopLogger;
    this.discardCompletedDeltas = options.discardCompletedDeltas ?? false;
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Publish an event. Events of no session are delivered at once; session events once stored.
   * Resolves with the event as delivered (with its `seq`), or undefined when storing failed
   * (logged: the event then reaches no client, whose next join with `since` still sees no gap
   * the log did not record).
   */
  publish(event: AnyServerEvent): Promise<BusEvent | undefined> {
    const sessionId = sessionIdOf(event);
    if (sessionId === undefined) {
      const busEvent: BusEvent = { ...event };
      this.deliver([busEvent]);
      return Promise.resolve(busEvent);
    }
    const chain = this.chain(sessionId);
    return new Promise((resolve) => {
      chain.waiting.push({ event, resolve });
      chain.flushing ??= this.drain(sessionId, chain);
    });
  }

  /** Resolves once every event published so far for the session was stored and delivered. */
  async flushed(sessionId: string): Promise<void> {
    const chain = this.chains.get(sessionId);
    while (chain?.flushing) await chain.flushing;
  }

  /** Read the session's latest seq from the log (after a restart, before the first publish). */
  async open(sessionId: string): Promise<number> {
    const { latestSeq } = await this.log.bounds(sessionId);
    this.latest.set(sessionId, Math.max(latestSeq, this.latest.get(sessionId) ?? 0));
    return this.latestSeq(sessionId);
  }

  latestSeq(sessionId: string): number {
    return this.latest.get(sessionId) ?? 0;
  }

  async replay(sessionId: string, since: number, limit?: number): Promise<ReplayResult> {
    const { oldestSeq, latestSeq } = await this.log.bounds(sessionId);
    if (since >= latestSeq) return { kind: 'events', events: [], latestSeq };
    if (since < oldestSeq - 1) return { kind: 'resync', latestSeq, oldestSeq };
    const bounded = limit !== undefined && limit < Number.MAX_SAFE_INTEGER;
    const read = await this.log.read(sessionId, since, bounded ? limit + 1 : undefined);
    if (bounded && read.length > limit) return { kind: 'resync', latestSeq, oldestSeq };
    const events = read.map((logged): BusEvent => ({ ...logged.event, sessionId, seq: logged.seq }));
    return { kind: 'events', events, latestSeq: Math.max(latestSeq, events.at(-1)?.seq ?? 0) };
  }

  /**
   * Deliver an event another writer stored in the shared log (another node, in cluster mode), in
   * the log's order: each `seq` reaches listeners once, whichever of the two paths brings it first.
   */
  deliverStored(logged: LoggedSessionEvent): void {
    if (logged.seq <= this.latestSeq(logged.sessionId)) return;
    this.latest.set(logged.sessionId, logged.seq);
    this.deliver([{ ...logged.event, sessionId: logged.sessionId, seq: logged.seq }]);
  }

  /**
   * Forget a session (terminated or deleted): its in-memory state, and its in-memory log.
   * A durable log keeps its events (clients may still replay them); delete them with `log.forget`.
   */
  async forget(sessionId: string): Promise<void> {
    await this.flushed(sessionId);
    this.chains.delete(sessionId);
    if (this.ownsLog) {
      this.latest.delete(sessionId);
      await this.log.forget(sessionId);
    }
  }

  private chain(sessionId: string): SessionChain {
    let chain = this.chains.get(sessionId);
    if (!chain) {
      chain = { waiting: [], flushing: undefined, deltaSeqs: new Map() };
      this.chains.set(sessionId, chain);
    }
    return chain;
  }

  private async drain(sessionId: string, chain: SessionChain): Promise<void> {
    try {
      while (chain.waiting.length > 0) {
        const batch = chain.waiting.splice(0);
        const delivered = await this.store(sessionId, chain, batch.map((waiting) => waiting.event));
        batch.forEach((waiting, index) => waiting.resolve(delivered[index]));
      }
    } finally {
      chain.flushing = undefined;
    }
  }

  private async store(sessionId: string, chain: SessionChain, batch: AnyServerEvent[]): Promise<(BusEvent | undefined)[]> {
    let logged;
    try {
      logged = await this.log.append(sessionId, batch);
    } catch (error) {
      this.logger.error({ sessionId, events: batch.length, error: errorInfo(error) }, 'storing session events failed; they were not delivered');
      return batch.map(() => undefined);
    }
    const events = logged.map((entry): BusEvent => ({ ...entry.event, sessionId, seq: entry.seq }));
    const previous = this.latestSeq(sessionId);
    const last = events.at(-1)?.seq;
    if (last !== undefined && last > previous) this.latest.set(sessionId, last);
    // A shared log (cluster mode) may have handed some of them to `deliverStored` already.
    this.deliver(events.filter((event) => event.seq! > previous));
    this.noteDeltas(sessionId, chain, events);
    return events;
  }

  private noteDeltas(sessionId: string, chain: SessionChain, events: BusEvent[]): void {
    if (!this.discardCompletedDeltas || !this.log.discard) return;
    const discardable: number[] = [];
    for (const event of events) {
      if (event.event === 'session:block:delta') {
        const seqs = chain.deltaSeqs.get(event.data.blockId) ?? [];
        seqs.push(event.seq!);
        chain.deltaSeqs.set(event.data.blockId, seqs);
      } else if (event.event === 'session:block:complete') {
        const seqs = chain.deltaSeqs.get(event.data.blockId);
        chain.deltaSeqs.delete(event.data.blockId);
        if (seqs) discardable.push(...seqs);
      }
    }
    if (discardable.length === 0) return;
    this.log.discard(sessionId, discardable).catch((error) =>
      this.logger.warn({ sessionId, error: errorInfo(error) }, 'discarding completed deltas from the event log failed'),
    );
  }

  private deliver(events: BusEvent[]): void {
    for (const event of events) {
      for (const listener of this.listeners) {
        try {
          listener(event);
        } catch (error) {
          this.logger.error({ event: event.event, sessionId: event.sessionId, error: errorInfo(error) }, 'an event listener threw');
        }
      }
    }
  }
}
