import type { RuntimeSessionData } from '@agent-runtime/core';
import type { AckResult } from './ack-tracker.js';
import { AgentRuntimeClientError } from './client-error.js';
import { sessionIdOf } from './parse-server-frame.js';
import type { ClientErrorReport, JoinAck, ServerEventFrame } from './socket-types.js';

interface SessionEntry {
  refs: number;
  /** Last sequence number delivered (undefined until the first ack or event). */
  lastSeq: number | undefined;
  resyncing: boolean;
  /** The current connection's join was acknowledged: from here on the server sends only newer seqs. */
  acked: boolean;
  /** Events that arrived while the session was being reloaded. */
  buffer: ServerEventFrame[];
  ready: Promise<JoinAck>;
  settle: { resolve: (ack: JoinAck) => void; reject: (error: unknown) => void } | undefined;
}

/** What the subscriptions need from the socket around them. */
export interface SubscriptionsHost {
  isOpen(): boolean;
  /** Opens the connection (the open re-joins every session). */
  connect(): void;
  sendJoin(sessionId: string, since: number | undefined): Promise<AckResult>;
  sendLeave(sessionId: string): Promise<void>;
  deliver(frame: ServerEventFrame): void;
  resynced(sessionId: string, session: RuntimeSessionData): void;
  /** A failure that concerns one session but no caller (a failed re-join or reload). */
  sessionError(error: { message: string; code: string; sessionId: string }): void;
  report(report: ClientErrorReport): void;
  loadSession: ((sessionId: string) => Promise<RuntimeSessionData>) | undefined;
}

/**
 * The sessions this socket joined (counted), the last `seq` delivered for each, and what keeps
 * each one's stream gap-free and duplicate-free: `since` on every (re-)join, dropping what was
 * already delivered, and a resync — reload the session, then go on from its `lastEventSeq` —
 * when the server says so (`session:resync`) or when its numbering went backwards (a runtime
 * that restarted and counts from 1 again).
 */
export class SessionSubscriptions {
  private readonly sessions = new Map<string, SessionEntry>();

  constructor(private readonly host: SubscriptionsHost) {}

  join(sessionId: string, options: { since?: number } = {}): Promise<JoinAck> {
    const existing = this.sessions.get(sessionId);
    if (existing) {
      existing.refs++;
      return existing.ready;
    }
    let settle: SessionEntry['settle'];
    const ready = new Promise<JoinAck>((resolve, reject) => {
      settle = { resolve, reject };
    });
    ready.catch(() => {});
    const entry: SessionEntry = { refs: 1, lastSeq: options.since, resyncing: false, acked: false, buffer: [], ready, settle };
    this.sessions.set(sessionId, entry);
    if (this.host.isOpen()) this.sendJoin(sessionId, entry);
    else this.host.connect();
    return ready;
  }

  async leave(sessionId: string): Promise<void> {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.sessions.delete(sessionId);
    if (this.host.isOpen()) await this.host.sendLeave(sessionId).catch(() => undefined);
  }

  lastSeq(sessionId: string): number | undefined {
    return this.sessions.get(sessionId)?.lastSeq;
  }

  /** After (re)connecting: joins every session again, from its last seq. */
  rejoinAll(): void {
    for (const [sessionId, entry] of this.sessions) this.sendJoin(sessionId, entry);
  }

  /** Routes one valid server event: delivered, buffered during a resync, dropped, or a resync trigger. */
  receive(frame: ServerEventFrame): void {
    const sessionId = sessionIdOf(frame);
    if (frame.event === 'session:resync' && sessionId !== undefined) {
      this.host.deliver(frame);
      void this.resync(sessionId, { latestSeq: frame.data.latestSeq });
      return;
    }
    if (frame.seq === undefined || sessionId === undefined) {
      this.host.deliver(frame);
      return;
    }
    const entry = this.sessions.get(sessionId);
    if (!entry) return; // left meanwhile
    if (entry.resyncing) {
      entry.buffer.push(frame);
      return;
    }
    if (entry.lastSeq !== undefined && frame.seq <= entry.lastSeq) {
      // Before the join's ack: a frame of an earlier subscription still in flight, a duplicate.
      if (!entry.acked) return;
      // After it the server sends only what follows `since` and never repeats a seq, so a seq at
      // or below the last one delivered means its numbering went backwards: reload.
      const reason = `seq ${frame.seq} is not after the last one delivered (${entry.lastSeq}): the server's numbering went backwards (it restarted?)`;
      this.host.deliver({ event: 'session:resync', data: { sessionId, latestSeq: frame.seq, reason } });
      void this.resync(sessionId, { trigger: frame });
      return;
    }
    entry.lastSeq = frame.seq;
    this.host.deliver(frame);
  }

  private sendJoin(sessionId: string, entry: SessionEntry): void {
    const since = entry.lastSeq;
    entry.acked = false;
    this.host.sendJoin(sessionId, since).then(
      (result) => {
        if (this.sessions.get(sessionId) !== entry) return;
        if (result.success !== true) {
          const failure = new AgentRuntimeClientError(result.error.code ?? 'JOIN_FAILED', result.error.message ?? `Could not join "${sessionId}".`);
          if (entry.settle) {
            this.sessions.delete(sessionId);
            entry.settle.reject(failure);
            entry.settle = undefined;
          } else {
            this.host.sessionError({ message: failure.message, code: failure.code, sessionId });
          }
          return;
        }
        const latestSeq = typeof result.latestSeq === 'number' ? result.latestSeq : 0;
        const ack = { ...result, latestSeq } as JoinAck;
        if (entry.lastSeq === undefined) entry.lastSeq = latestSeq;
        else if (since !== undefined && latestSeq < since && ack.resync !== true) {
          // Compared with the `since` this join sent (events may have been delivered since):
          // a server whose numbering restarted below it, and that does not say so itself.
          void this.resync(sessionId, { latestSeq });
        }
        entry.acked = true;
        entry.settle?.resolve(ack);
        entry.settle = undefined;
      },
      (error: unknown) => {
        // Disconnected before the ack: the next open re-joins. Other failures reject a first join.
        if (AgentRuntimeClientError.isInstance(error) && error.code === 'DISCONNECTED') return;
        if (entry.settle && this.sessions.get(sessionId) === entry) {
          this.sessions.delete(sessionId);
          entry.settle.reject(error);
          entry.settle = undefined;
        }
      },
    );
  }

  /**
   * Reloads the session and goes on from its `lastEventSeq`; events that arrive meanwhile are
   * buffered and delivered afterwards when they are newer. One reload at a time per session.
   */
  private async resync(sessionId: string, cause: { latestSeq?: number; trigger?: ServerEventFrame }): Promise<void> {
    const entry = this.sessions.get(sessionId);
    if (!entry) return;
    if (entry.resyncing) {
      if (cause.trigger) entry.buffer.push(cause.trigger);
      return;
    }
    entry.resyncing = true;
    entry.buffer = cause.trigger ? [cause.trigger] : [];
    // Without a snapshot's lastEventSeq: the server's word, or just before the event that showed the restart.
    const fallbackSeq = cause.latestSeq ?? (cause.trigger?.seq === undefined ? entry.lastSeq : cause.trigger.seq - 1);
    try {
      if (this.host.loadSession) {
        const session = await this.host.loadSession(sessionId);
        entry.lastSeq = Math.max(session.lastEventSeq ?? fallbackSeq ?? 0, 0);
        this.host.resynced(sessionId, session);
      } else {
        entry.lastSeq = fallbackSeq;
      }
    } catch (error) {
      entry.lastSeq = fallbackSeq;
      const coded = AgentRuntimeClientError.isInstance(error) ? error : undefined;
      const message = `Could not reload session "${sessionId}" after a resync.`;
      this.host.report({ code: 'RESYNC_FAILED', message, sessionId, cause: error });
      this.host.sessionError({ message, code: coded?.code ?? 'RESYNC_REQUIRED', sessionId });
    } finally {
      entry.resyncing = false;
      const buffered = entry.buffer;
      entry.buffer = [];
      for (const frame of buffered) {
        if (frame.seq !== undefined && entry.lastSeq !== undefined && frame.seq <= entry.lastSeq) continue;
        if (frame.seq !== undefined) entry.lastSeq = frame.seq;
        this.host.deliver(frame);
      }
    }
  }
}
