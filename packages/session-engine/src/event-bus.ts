import type { AnyServerEvent } from '@agent-runtime/core';

/** A server event as the bus delivers it: `seq` is set on events that concern one session. */
export type BusEvent = AnyServerEvent & {
  /** The session the event belongs to, when it belongs to one. */
  sessionId?: string;
  /** Per-session sequence number, starting at 1. */
  seq?: number;
};

export type BusListener = (event: BusEvent) => void;

export type ReplayResult =
  | { kind: 'events'; events: BusEvent[]; latestSeq: number }
  | { kind: 'resync'; latestSeq: number; oldestSeq: number };

export interface SessionEventBusOptions {
  /** Events kept per session for replay to reconnecting clients. Default 2000. */
  replayWindow?: number;
}

interface SessionLog {
  nextSeq: number;
  /** Ring buffer of the last `replayWindow` events. */
  events: BusEvent[];
  start: number;
}

function sessionIdOf(event: AnyServerEvent): string | undefined {
  const data = event.data as { sessionId?: unknown };
  return typeof data.sessionId === 'string' ? data.sessionId : undefined;
}

/**
 * The in-process event bus. Numbers every session event, keeps a replay window per session,
 * and delivers synchronously to listeners (a throwing listener never affects the others).
 */
export class SessionEventBus {
  private readonly listeners = new Set<BusListener>();
  private readonly logs = new Map<string, SessionLog>();
  private readonly replayWindow: number;

  constructor(options: SessionEventBusOptions = {}) {
    this.replayWindow = options.replayWindow ?? 2000;
  }

  subscribe(listener: BusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: AnyServerEvent): BusEvent {
    const sessionId = sessionIdOf(event);
    const busEvent: BusEvent = sessionId === undefined ? { ...event } : this.record(sessionId, event);
    for (const listener of this.listeners) {
      try {
        listener(busEvent);
      } catch {
        // A listener's failure is its own; delivery to the others goes on.
      }
    }
    return busEvent;
  }

  /** The last sequence number given to an event of this session (0 when none). */
  latestSeq(sessionId: string): number {
    return (this.logs.get(sessionId)?.nextSeq ?? 1) - 1;
  }

  /** Events of `sessionId` after `since`, or `resync` when some of them left the window. */
  replay(sessionId: string, since: number): ReplayResult {
    const log = this.logs.get(sessionId);
    const latestSeq = this.latestSeq(sessionId);
    if (!log || since >= latestSeq) return { kind: 'events', events: [], latestSeq };
    const ordered = this.ordered(log);
    const oldestSeq = ordered[0]?.seq ?? latestSeq + 1;
    if (since < oldestSeq - 1) return { kind: 'resync', latestSeq, oldestSeq };
    return { kind: 'events', events: ordered.filter((event) => (event.seq ?? 0) > since), latestSeq };
  }

  /** Forget a session's replay log (after it was deleted). */
  forget(sessionId: string): void {
    this.logs.delete(sessionId);
  }

  private record(sessionId: string, event: AnyServerEvent): BusEvent {
    let log = this.logs.get(sessionId);
    if (!log) {
      log = { nextSeq: 1, events: [], start: 0 };
      this.logs.set(sessionId, log);
    }
    const busEvent: BusEvent = { ...event, sessionId, seq: log.nextSeq++ };
    if (log.events.length < this.replayWindow) {
      log.events.push(busEvent);
    } else {
      log.events[log.start] = busEvent;
      log.start = (log.start + 1) % this.replayWindow;
    }
    return busEvent;
  }

  private ordered(log: SessionLog): BusEvent[] {
    return log.start === 0 ? log.events : [...log.events.slice(log.start), ...log.events.slice(0, log.start)];
  }
}
