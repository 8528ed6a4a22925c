import type { AnyServerEvent } from '../protocol/events.js';

/** A session event as an event log keeps it: numbered within its session. */
export interface LoggedSessionEvent {
  sessionId: string;
  /** Per-session sequence number: rises by one per appended event for the whole life of the session. */
  seq: number;
  /** The server event exactly as clients receive it (`event` name + `data`). */
  event: AnyServerEvent;
}

/** The retained range of one session's log. */
export interface SessionEventLogBounds {
  /** Seq of the oldest event still kept (`latestSeq + 1` when none is kept). */
  oldestSeq: number;
  /** Seq of the newest event ever appended (0 when none). Never goes down, even after trim. */
  latestSeq: number;
}

/**
 * Where session events get their `seq` and are kept for replay to reconnecting clients.
 *
 * The in-memory ring is the zero-configuration implementation; SQLite and PostgreSQL keep the log
 * across restarts (so `seq` keeps rising after one), NATS JetStream across nodes. Every method
 * concerns one session; sessions never share a sequence.
 *
 * Invariants every implementation keeps (checked by `eventLogContract` in testkit):
 * - `append` numbers events `latestSeq + 1, + 2, ...` in the order given and resolves once they are
 *   stored as durably as the implementation can store them; a caller publishes an event to clients
 *   only after its `append` resolved, so no client ever sees a `seq` the log could hand out again.
 * - `latestSeq` never decreases: not after `trim`, not after `discard`, not after a restart.
 *   (`forget` ends the session's log for good; the session is gone.)
 * - `read` returns kept events with `seq > afterSeq`, ascending.
 */
export interface SessionEventLog {
  /** Number and store `events` (one session, in order); resolves with them numbered. */
  append(sessionId: string, events: readonly AnyServerEvent[]): Promise<LoggedSessionEvent[]>;

  /** Kept events with `seq > afterSeq`, ascending; at most `limit` when given. */
  read(sessionId: string, afterSeq: number, limit?: number): Promise<LoggedSessionEvent[]>;

  /** Oldest kept and latest appended seq. */
  bounds(sessionId: string): Promise<SessionEventLogBounds>;

  /** Drop events with `seq <= uptoSeq` (replay before it becomes a `session:resync`). */
  trim(sessionId: string, uptoSeq: number): Promise<void>;

  /**
   * Optional: drop individual events whose effect a later event carries whole (e.g. the deltas
   * of a block once its `session:block:complete` is stored), so the durable log stays small.
   * A replay after a discard must leave a client in the same state as a live watcher.
   */
  discard?(sessionId: string, seqs: readonly number[]): Promise<void>;

  /** Remove the session's whole log (the session was deleted or terminated for good). */
  forget(sessionId: string): Promise<void>;
}
