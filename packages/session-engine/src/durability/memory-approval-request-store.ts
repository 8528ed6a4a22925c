import type {
  ApprovalRequestStore,
  PendingRequest,
  PermissionResolution,
  QuestionResolution,
  ResolveApprovalResult,
  StoredApprovalRequest,
} from '@agent-runtime/core';

const copy = (stored: StoredApprovalRequest): StoredApprovalRequest => structuredClone(stored);

/**
 * The zero-configuration approval store: requests in memory, in creation order per session.
 * Survives nothing; the durable ones come from the SQLite and PostgreSQL adapters.
 */
export class MemoryApprovalRequestStore implements ApprovalRequestStore {
  private readonly sessions = new Map<string, Map<string, StoredApprovalRequest>>();

  async add(request: PendingRequest): Promise<void> {
    let requests = this.sessions.get(request.sessionId);
    if (!requests) {
      requests = new Map();
      this.sessions.set(request.sessionId, requests);
    }
    if (!requests.has(request.requestId)) requests.set(request.requestId, { request: structuredClone(request) });
  }

  async get(sessionId: string, requestId: string): Promise<StoredApprovalRequest | undefined> {
    const stored = this.sessions.get(sessionId)?.get(requestId);
    return stored ? copy(stored) : undefined;
  }

  async resolve(sessionId: string, requestId: string, resolution: PermissionResolution | QuestionResolution): Promise<ResolveApprovalResult | undefined> {
    const stored = this.sessions.get(sessionId)?.get(requestId);
    if (!stored) return undefined;
    if (stored.resolution) return { stored: copy(stored), alreadyResolved: true };
    stored.resolution = structuredClone(resolution);
    return { stored: copy(stored), alreadyResolved: false };
  }

  async list(sessionId: string, options: { pendingOnly?: boolean } = {}): Promise<StoredApprovalRequest[]> {
    const all = [...(this.sessions.get(sessionId)?.values() ?? [])];
    return all.filter((stored) => !options.pendingOnly || !stored.resolution).map(copy);
  }

  async sessionsWithPending(): Promise<string[]> {
    return [...this.sessions.entries()].filter(([, requests]) => [...requests.values()].some((stored) => !stored.resolution)).map(([sessionId]) => sessionId);
  }

  async forget(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
  }
}
