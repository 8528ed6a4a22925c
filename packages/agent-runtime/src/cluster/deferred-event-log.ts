import type { AnyServerEvent, LoggedSessionEvent, SessionEventLog, SessionEventLogBounds } from '@agent-runtime/core';

/**
 * A `SessionEventLog` whose implementation arrives later: the engine is built synchronously, the
 * JetStream log only once the node connected to NATS (`start()`). Calls made before wait for it.
 */
export class DeferredSessionEventLog implements SessionEventLog {
  private target: SessionEventLog | undefined;
  private resolveTarget!: (log: SessionEventLog) => void;
  private readonly ready = new Promise<SessionEventLog>((resolve) => (this.resolveTarget = resolve));

  /** Hand over the real log; every waiting and later call goes to it. */
  resolve(log: SessionEventLog): void {
    this.target = log;
    this.resolveTarget(log);
  }

  private log(): Promise<SessionEventLog> {
    return this.target ? Promise.resolve(this.target) : this.ready;
  }

  async append(sessionId: string, events: readonly AnyServerEvent[]): Promise<LoggedSessionEvent[]> {
    return (await this.log()).append(sessionId, events);
  }

  async read(sessionId: string, afterSeq: number, limit?: number): Promise<LoggedSessionEvent[]> {
    return (await this.log()).read(sessionId, afterSeq, limit);
  }

  async bounds(sessionId: string): Promise<SessionEventLogBounds> {
    return (await this.log()).bounds(sessionId);
  }

  async trim(sessionId: string, uptoSeq: number): Promise<void> {
    return (await this.log()).trim(sessionId, uptoSeq);
  }

  async forget(sessionId: string): Promise<void> {
    return (await this.log()).forget(sessionId);
  }
}
