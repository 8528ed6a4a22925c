import type { BusListener } from './bus-event.js';
import type { ReplayResult } from './replay-result.js';

/**
 * The engine's stream of events as transports see it. Events reach listeners only after the
 * session's event log stored them, so a `seq` a client saw is never handed out again (not even
 * after a restart, when the log is durable).
 */
export interface SessionEventSource {
  /** Listen to every event from now on; returns the unsubscribe function. */
  subscribe(listener: BusListener): () => void;

  /** The newest `seq` delivered to listeners for this session (0 when none is known yet). */
  latestSeq(sessionId: string): number;

  /**
   * The session's events after `since` from its event log (the in-memory window, or the durable
   * log after a restart), or `resync` when some were trimmed. `limit` caps the events read:
   * a larger gap is a `resync`.
   */
  replay(sessionId: string, since: number, limit?: number): Promise<ReplayResult>;
}
