import type { PendingRequest, PermissionResolution, QuestionResolution } from './approval-request.js';

/** A request with its resolution once it has one. */
export interface StoredApprovalRequest {
  request: PendingRequest;
  resolution?: PermissionResolution | QuestionResolution;
}

/** What `resolve` did. */
export interface ResolveApprovalResult {
  stored: StoredApprovalRequest;
  /** True when the request was already resolved: nothing changed, `stored.resolution` is the first one. */
  alreadyResolved: boolean;
}

/**
 * Permission requests and questions, durable where the implementation is, so that a pending
 * request survives the client going away and the runtime restarting (it is presented again after
 * the restart). Resolving is first-answer-wins and idempotent.
 */
export interface ApprovalRequestStore {
  /** Record a new pending request (idempotent by `requestId`). */
  add(request: PendingRequest): Promise<void>;

  get(sessionId: string, requestId: string): Promise<StoredApprovalRequest | undefined>;

  /** Set the resolution unless one is already set (atomically: two answers at once, one wins). */
  resolve(sessionId: string, requestId: string, resolution: PermissionResolution | QuestionResolution): Promise<ResolveApprovalResult | undefined>;

  /** Requests of the session in creation order; `pendingOnly` leaves out resolved ones. */
  list(sessionId: string, options?: { pendingOnly?: boolean }): Promise<StoredApprovalRequest[]>;

  /** Ids of sessions with unresolved requests (what recovery looks at after a restart). */
  sessionsWithPending(): Promise<string[]>;

  /** Remove every request of the session. */
  forget(sessionId: string): Promise<void>;
}
