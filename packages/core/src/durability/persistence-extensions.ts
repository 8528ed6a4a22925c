import type { ApprovalRequestStore } from '../approvals/pending-request-store.js';
import type { SessionEventLog } from './session-event-log.js';
import type { TurnQueueStore } from './turn-queue-store.js';

/**
 * Optional methods a persistence adapter may add beside the nine of `PersistenceAdapter` (which
 * stay exactly as the reference defines them). The runtime detects each one at start-up and uses
 * it when present; a plain nine-method adapter runs as before (in-memory event log and queue).
 * The SQLite and PostgreSQL adapters implement all of them over their own database.
 */
export interface PersistenceExtensions {
  /** A durable event log over the adapter's database. */
  sessionEventLog?(): SessionEventLog;

  /** A durable turn queue over the adapter's database. */
  turnQueueStore?(): TurnQueueStore;

  /** A durable store of permission requests and agent questions over the adapter's database. */
  approvalRequestStore?(): ApprovalRequestStore;

  /**
   * Append `delta` to the stored transcript (main, or subagent `subagentId`) instead of
   * rewriting it whole: `loadSession` then returns the previous text followed by `delta`.
   * The engine falls back to `saveTranscript` with the whole text when this is absent.
   */
  appendTranscript?(sessionId: string, delta: string, subagentId?: string): Promise<void>;
}
