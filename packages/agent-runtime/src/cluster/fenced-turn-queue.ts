import type { QueuedTurn, SessionLease, TurnQueueStore } from '@agent-runtime/core';
import { withFencedTransaction } from '@agent-runtime/cluster';
import type pg from 'pg';

/**
 * The shared turn queue as one node's engine writes it: starting a turn (`markRunning`) and
 * ending it (`complete`) happen inside a transaction that holds this node's lease row `FOR SHARE`
 * and checks its fencing token. A node that lost the session can therefore neither start a queued
 * message (it stays queued for the new owner) nor mark done a turn the new owner must end with
 * `NODE_LOST`; a takeover waits for such a transaction, so it sees the entry either before or after.
 */
export function fencedTurnQueue(store: TurnQueueStore, fence: { pool: () => pg.Pool; schema: string; leaseOf: (sessionId: string) => SessionLease }): TurnQueueStore {
  const fenced = <T>(sessionId: string, work: () => Promise<T>) => withFencedTransaction(fence.pool(), fence.schema, fence.leaseOf(sessionId), work);
  return {
    enqueue: (sessionId, request, acceptedAt) => store.enqueue(sessionId, request, acceptedAt),
    pending: (sessionId): Promise<QueuedTurn[]> => store.pending(sessionId),
    markRunning: (sessionId, position, turnId) => fenced(sessionId, () => store.markRunning(sessionId, position, turnId)),
    complete: (sessionId, position, outcome) => fenced(sessionId, () => store.complete(sessionId, position, outcome)),
    sessionsWithPending: () => store.sessionsWithPending(),
    forget: (sessionId) => store.forget(sessionId),
  };
}
