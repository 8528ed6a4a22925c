import { AgentRuntimeError, type SessionListData } from '@agent-runtime/core';

const CLOSED = new Set(['completed', 'failed']);

/**
 * Counts the open sessions each principal created through this server (sessions restored from
 * storage after a restart belong to nobody here). A session stops counting once it is
 * `completed` (deleted) or `failed`, or is no longer listed by the engine.
 */
export class SessionQuota {
  private readonly byPrincipal = new Map<string, Set<string>>();
  /** Creations admitted but not yet answered, so concurrent creates cannot overshoot. */
  private readonly pending = new Map<string, number>();

  constructor(
    private readonly maxPerPrincipal: number,
    private readonly listSessions: () => SessionListData[],
  ) {}

  /** Reserves one session for `key`, or throws 429 `LIMIT_EXCEEDED`; call `settle` afterwards. */
  reserve(key: string): void {
    const open = this.openCount(key) + (this.pending.get(key) ?? 0);
    if (open >= this.maxPerPrincipal) {
      throw new AgentRuntimeError('LIMIT_EXCEEDED', `At most ${this.maxPerPrincipal} open sessions per principal; delete one first.`, {
        details: { limit: 'sessionsPerPrincipal', max: this.maxPerPrincipal },
      });
    }
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
  }

  /** Ends a reservation: records the created session, or releases it when creation failed. */
  settle(key: string, sessionId: string | undefined): void {
    const pending = (this.pending.get(key) ?? 1) - 1;
    if (pending > 0) this.pending.set(key, pending);
    else this.pending.delete(key);
    if (sessionId === undefined) return;
    let set = this.byPrincipal.get(key);
    if (!set) {
      set = new Set();
      this.byPrincipal.set(key, set);
    }
    set.add(sessionId);
  }

  private openCount(key: string): number {
    const set = this.byPrincipal.get(key);
    if (!set || set.size === 0) return 0;
    const status = new Map(this.listSessions().map((session) => [session.sessionId, session.status]));
    for (const sessionId of [...set]) {
      const current = status.get(sessionId);
      if (current === undefined || CLOSED.has(current)) set.delete(sessionId);
    }
    return set.size;
  }
}
