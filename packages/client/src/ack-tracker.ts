import type { AckFrame } from '@agent-runtime/core';
import { AgentRuntimeClientError } from './client-error.js';
import type { Timers } from './socket-types.js';

export type AckResult = AckFrame['result'];

interface PendingAck {
  event: string;
  resolve: (result: AckResult) => void;
  reject: (error: unknown) => void;
  timer: unknown;
}

/**
 * Correlates acks with the frames that asked for them: numbers each request, fails it with
 * TIMEOUT when no answer comes in time, and fails every open one when the connection drops.
 */
export class AckTracker {
  private readonly pending = new Map<number, PendingAck>();
  private nextAck = 1;

  constructor(
    private readonly timeoutMs: number,
    private readonly timers: Timers,
  ) {}

  /** Numbers a request; `send` gets the number to put in the frame. Resolves with the ack's `result`. */
  request(event: string, send: (ack: number) => void): Promise<AckResult> {
    const ack = this.nextAck++;
    return new Promise<AckResult>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        this.pending.delete(ack);
        reject(new AgentRuntimeClientError('TIMEOUT', `No answer to ${event} within ${this.timeoutMs} ms.`));
      }, this.timeoutMs);
      this.pending.set(ack, { event, resolve, reject, timer });
      try {
        send(ack);
      } catch (error) {
        this.timers.clearTimeout(timer);
        this.pending.delete(ack);
        reject(new AgentRuntimeClientError('DISCONNECTED', `Could not send ${event}.`, { cause: error }));
      }
    });
  }

  /** Settles the request an ack answers; false for an ack nobody waits for (late or unknown). */
  settle(ack: number, result: AckResult): boolean {
    const pending = this.pending.get(ack);
    if (!pending) return false;
    this.timers.clearTimeout(pending.timer);
    this.pending.delete(ack);
    pending.resolve(result);
    return true;
  }

  /** Fails every open request (the connection dropped or was closed). */
  failAll(error: AgentRuntimeClientError): void {
    for (const [ack, pending] of this.pending) {
      this.timers.clearTimeout(pending.timer);
      this.pending.delete(ack);
      pending.reject(error);
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
