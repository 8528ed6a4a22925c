import type { QueuedTurn, TurnQueueStore } from '@agent-runtime/core';

/**
 * The shared turn queue as one node's engine writes it: starting a turn (`markRunning`) and
 * ending it (`complete`) happen inside a transaction that holds this node's lease row `FOR SHARE`
 * and checks its fencing token. A node that lost the session can therefore neither start a queued
 * message (it stays queued for the new owner) nor mark done a turn the new owner must end with
 * `NODE_LOST`; a takeover waits for such a transaction, so it sees the entry either before or after.
 * `fenced` is that transaction (the coordinator's `whileOwner`).
 */
export function fencedTurnQueue(store: TurnQueueStore, fenced: <T>(sessionId: string, work: () => Promise<T>) => Promise<T>): TurnQueueStore {
  return {
    enqueue: (sessionId, request, acceptedAt) => store.enqueue(sessionId, request, acceptedAt),
    pending: (sessionId): Promise<QueuedTurn[]> => store.pending(sessionId),
    markRunning: (sessionId, position, turnId) => fenced(sessionId, () => store.markRunning(sessionId, position, turnId)),
    complete: (sessionId, position, outcome) => fenced(sessionId, () => store.complete(sessionId, position, outcome)),
    sessionsWithPending: () => store.sessionsWithPending(),
    forget: (sessionId) => store.forget(sessionId),
  };
}
