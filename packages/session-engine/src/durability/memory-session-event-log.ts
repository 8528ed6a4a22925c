import type { AnyServerEvent, LoggedSessionEvent, SessionEventLog, SessionEventLogBounds } from '@agent-runtime/core';

export interface MemorySessionEventLogOptions {
  /** Events kept per session (a ring: older ones are trimmed). Default 2000. */
  window?: number;
}

interface Ring {
  latestSeq: number;
  /** Kept events, ascending by seq (oldest first). */
  events: LoggedSessionEvent[];
  /** Index of the oldest kept event in `events` (the ring's start). */
  start: number;
  /** Seqs dropped by `discard` (skipped on read). */
  discarded: Set<number>;
}

/**
 * The zero-configuration event log: a ring of the last `window` events per session, in memory.
 * `seq` survives nothing (a restart starts again at 1); durable logs come from the adapter.
 */
export class MemorySessionEventLog implements SessionEventLog {
  private readonly rings = new Map<string, Ring>();
  private readonly window: number;

  constructor(options: MemorySessionEventLogOptions = {}) {
    this.window = options.window ?? 2000;
  }

  async append(sessionId: string, events: readonly AnyServerEvent[]): Promise<LoggedSessionEvent[]> {
    const ring = this.ring(sessionId);
    return events.map((event) => {
      const logged: LoggedSessionEvent = { sessionId, seq: ++ring.latestSeq, event };
      if (ring.events.length < this.window) {
        ring.events.push(logged);
      } else {
        const dropped = ring.events[ring.start];
        if (dropped) ring.discarded.delete(dropped.seq);
        ring.events[ring.start] = logged;
        ring.start = (ring.start + 1) % this.window;
      }
      return logged;
    });
  }

  async read(sessionId: string, afterSeq: number, limit?: number): Promise<LoggedSessionEvent[]> {
    const ring = this.rings.get(sessionId);
    if (!ring) return [];
    const kept = this.ordered(ring).filter((logged) => logged.seq > afterSeq && !ring.discarded.has(logged.seq));
    return limit === undefined ? kept : kept.slice(0, limit);
  }

  async bounds(sessionId: string): Promise<SessionEventLogBounds> {
    const ring = this.rings.get(sessionId);
    if (!ring) return { oldestSeq: 1, latestSeq: 0 };
    const oldest = this.ordered(ring)[0];
    return { oldestSeq: oldest?.seq ?? ring.latestSeq + 1, latestSeq: ring.latestSeq };
  }

  async trim(sessionId: string, uptoSeq: number): Promise<void> {
    const ring = this.rings.get(sessionId);
    if (!ring) return;
    ring.events = this.ordered(ring).filter((logged) => logged.seq > uptoSeq);
    ring.start = 0;
  }

  async discard(sessionId: string, seqs: readonly number[]): Promise<void> {
    const ring = this.rings.get(sessionId);
    if (!ring) return;
    for (const seq of seqs) ring.discarded.add(seq);
  }

  async forget(sessionId: string): Promise<void> {
    this.rings.delete(sessionId);
  }

  private ring(sessionId: string): Ring {
    let ring = this.rings.get(sessionId);
    if (!ring) {
      ring = { latestSeq: 0, events: [], start: 0, discarded: new Set() };
      this.rings.set(sessionId, ring);
    }
    return ring;
  }

  private ordered(ring: Ring): LoggedSessionEvent[] {
    return ring.start === 0 ? ring.events : [...ring.events.slice(ring.start), ...ring.events.slice(0, ring.start)];
  }
}
