import type { SendMessageRequest } from '../protocol/rest.js';

/** Where an accepted message is in its life. */
export type QueuedTurnState = 'queued' | 'running' | 'done';

/** An accepted message as the turn queue keeps it. */
export interface QueuedTurn {
  sessionId: string;
  /** Server-assigned, unique within the session; order of acceptance. */
  position: number;
  /** The client's idempotency key, when it sent one. */
  clientMessageId?: string;
  request: SendMessageRequest;
  state: QueuedTurnState;
  /** The turn's id (`session:turn:start`), set by `markRunning`. */
  turnId?: string;
  /** ISO time it was accepted. */
  acceptedAt: string;
  /** How the turn ended, once `done` (`completed`, `interrupted`, `error`, `timeout`). */
  outcome?: string;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  turn: QueuedTurn;
  /** True when `clientMessageId` was seen before: nothing was added, `turn` is the earlier one. */
  duplicate: boolean;
}

/**
 * The per-session queue of accepted messages, durable where the implementation is.
 *
 * A message acknowledged to a client has been `enqueue`d and resolved: after a crash it is still
 * here, `queued` (runs after the restart) or `running` (its turn was cut short: the engine ends it
 * with one `error` turn end, code `RUNTIME_RESTARTED`, and marks it done). `clientMessageId`
 * deduplication holds for as long as the entry is kept (done entries are kept at least for the
 * session's life unless `forget` is called).
 */
export interface TurnQueueStore {
  /** Accept a message, idempotently by `clientMessageId`. */
  enqueue(sessionId: string, request: SendMessageRequest, acceptedAt: string): Promise<EnqueueResult>;

  /** Entries not `done`, in acceptance order (the `running` one first, when any). */
  pending(sessionId: string): Promise<QueuedTurn[]>;

  /**
   * Mark the entry at `position` as running as turn `turnId` (kept, so that after a crash the
   * engine can end exactly that turn with `RUNTIME_RESTARTED`).
   */
  markRunning(sessionId: string, position: number, turnId: string): Promise<void>;

  /** Mark the entry at `position` as done with its outcome. */
  complete(sessionId: string, position: number, outcome: string): Promise<void>;

  /** Ids of sessions with entries not `done` (what recovery looks at after a restart). */
  sessionsWithPending(): Promise<string[]>;

  /** Remove every entry of the session. */
  forget(sessionId: string): Promise<void>;
}
