import { hasErrorCode, type ApprovalRequestStore, type PersistenceAdapter, type PersistenceExtensions, type SessionLease } from '@agent-runtime/core';
import { withFencedTransaction } from '@agent-runtime/cluster';
import type pg from 'pg';

export interface PersistenceFence {
  pool: () => pg.Pool;
  schema: string;
  /**
   * The lease a write for this session must still hold: the current one while this node owns the
   * session, the lost one while a session this node lost is being stopped (its late writes are
   * refused). `undefined`: the write is not an owner's — an upload stored on a node that does not
   * run the session — and goes through as it is.
   */
  leaseOf: (sessionId: string) => SessionLease | undefined;
  /** A fenced write was refused with `LEASE_LOST`: this node lost the session before its renewal noticed. */
  onLeaseLost?: (lease: SessionLease) => void;
}

/**
 * The persistence one node's engine writes through in cluster mode: every session-scoped write of
 * the owner (transcripts, workspace files, the session record, approval requests) runs inside a
 * transaction that holds the owner's lease row `FOR SHARE` and checks its fencing token. A node
 * whose lease was taken is refused with `LEASE_LOST` before it writes, so it cannot write over
 * its successor; a takeover (which updates the lease row) waits until a write in flight ends.
 *
 * Reads are not wrapped. `createSessionRecord` is not fenced: it stores a session id nobody else
 * knows yet, before this node takes the new session's lease. The event log and the turn queue are
 * not offered here: the coordinator gives the engine its own fenced ones.
 */
export function fencedPersistence(persistence: PersistenceAdapter & PersistenceExtensions, fence: PersistenceFence): PersistenceAdapter & PersistenceExtensions {
  const fenced = async <T>(sessionId: string, write: () => Promise<T>): Promise<T> => {
    const lease = fence.leaseOf(sessionId);
    if (!lease) return write();
    try {
      return await withFencedTransaction(fence.pool(), fence.schema, lease, write);
    } catch (error) {
      if (hasErrorCode(error, 'LEASE_LOST')) fence.onLeaseLost?.(lease);
      throw error;
    }
  };
  const wrapped: PersistenceAdapter & PersistenceExtensions = {
    listAllSessions: () => persistence.listAllSessions(),
    loadSession: (sessionId) => persistence.loadSession(sessionId),
    createSessionRecord: (session) => persistence.createSessionRecord(session),
    updateSessionRecord: (sessionId, updates) => fenced(sessionId, () => persistence.updateSessionRecord(sessionId, updates)),
    saveTranscript: (sessionId, rawTranscript, subagentId) => fenced(sessionId, () => persistence.saveTranscript(sessionId, rawTranscript, subagentId)),
    saveWorkspaceFile: (sessionId, file) => fenced(sessionId, () => persistence.saveWorkspaceFile(sessionId, file)),
    deleteSessionFile: (sessionId, path) => fenced(sessionId, () => persistence.deleteSessionFile(sessionId, path)),
    listAgentProfiles: () => persistence.listAgentProfiles(),
    loadAgentProfile: (agentProfileId) => persistence.loadAgentProfile(agentProfileId),
  };
  // The engine detects the optional methods by their presence: offer only those the adapter has.
  if (persistence.appendTranscript) {
    const append = persistence.appendTranscript.bind(persistence);
    wrapped.appendTranscript = (sessionId, delta, subagentId) => fenced(sessionId, () => append(sessionId, delta, subagentId));
  }
  if (persistence.approvalRequestStore) {
    const approvals = persistence.approvalRequestStore.bind(persistence);
    wrapped.approvalRequestStore = () => fencedApprovalRequestStore(approvals(), fenced);
  }
  return wrapped;
}

type Fenced = <T>(sessionId: string, write: () => Promise<T>) => Promise<T>;

/** Recording a request and its answer are the owner's writes (the waiting turn runs there); reads are not wrapped. */
function fencedApprovalRequestStore(store: ApprovalRequestStore, fenced: Fenced): ApprovalRequestStore {
  return {
    add: (request) => fenced(request.sessionId, () => store.add(request)),
    get: (sessionId, requestId) => store.get(sessionId, requestId),
    resolve: (sessionId, requestId, resolution) => fenced(sessionId, () => store.resolve(sessionId, requestId, resolution)),
    list: (sessionId, options) => store.list(sessionId, options),
    sessionsWithPending: () => store.sessionsWithPending(),
    forget: (sessionId) => fenced(sessionId, () => store.forget(sessionId)),
  };
}
