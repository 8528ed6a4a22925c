import type { WebSocket } from 'ws';
import type { Principal } from '../options.js';

/** Close code for a client that reads too slowly (its send queue overflowed). */
export const SLOW_CONSUMER_CLOSE_CODE = 4000;
/** Close code for a connection over `limits.connectionsPerPrincipal` (normally refused with 429 at the upgrade). */
export const LIMIT_EXCEEDED_CLOSE_CODE = 4029;

export interface ConnectionLimits {
  maxQueuedFrames: number;
  maxBufferedBytes: number;
}

/**
 * One WebSocket client: the sessions it joined (with the last `seq` it was sent for each), and a
 * bounded send queue. Sending never blocks: a socket over its limit is closed with 4000 and a
 * reason, and everything else goes on.
 */
export class Connection {
  /**
   * sessionId -> last sequence number sent on this socket; `held` collects live events while the
   * join's replay is read from the event log (sent after it, in order).
   */
  readonly joined = new Map<string, { lastSeq: number; held?: { seq: number; text: string }[] }>();
  /** Answered a ping (or sent anything) since the last heartbeat. */
  alive = true;
  closed = false;
  /** The newest `sessions:list` generation sent on this socket. */
  listGeneration = 0;
  private backlog = 0;
  private flushProbePending = false;

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    /** What `limits` count this connection under. */
    readonly principalKey: string,
    private readonly limits: ConnectionLimits,
    private readonly onDrop: (connection: Connection, reason: string) => void,
  ) {}

  /**
   * Frames sent since the socket last had nothing buffered. `ws` hands frames to the kernel
   * synchronously, so a client that reads keeps `bufferedAmount` at 0 and this at 0; a client that
   * stops reading makes both grow.
   */
  get queuedFrames(): number {
    return this.backlog;
  }

  /** Sends one text frame; returns false when the socket is closed or was just dropped as too slow. */
  send(text: string): boolean {
    if (this.closed || this.socket.readyState !== 1) return false;
    const buffered = this.socket.bufferedAmount;
    this.backlog = buffered === 0 ? 0 : this.backlog + 1;
    if (this.backlog > this.limits.maxQueuedFrames || buffered > this.limits.maxBufferedBytes) {
      this.drop(`SLOW_CONSUMER: ${this.backlog} frames / ${buffered} bytes waiting to be sent`);
      return false;
    }
    this.socket.send(text);
    return true;
  }

  /**
   * Calls `callback` once what was sent so far has been written out (at once when nothing is
   * buffered: `ws` writes synchronously to a socket that keeps up).
   */
  onFlushed(callback: () => void): void {
    if (this.socket.bufferedAmount === 0) {
      callback();
      return;
    }
    // One probe at a time on a socket that is behind: a measurement, not more load on it.
    if (this.flushProbePending) return;
    this.flushProbePending = true;
    // An empty ping frame's write callback fires after every frame queued before it.
    try {
      this.socket.ping(undefined, undefined, () => {
        this.flushProbePending = false;
        callback();
      });
    } catch {
      this.flushProbePending = false; // closed meanwhile
    }
  }

  /** Closes the socket with a code and a reason, and destroys it if the close handshake stalls. */
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close(code, reason.slice(0, 120));
    } catch {
      this.socket.terminate();
    }
    setTimeout(() => this.socket.terminate(), 2000).unref();
  }

  private drop(reason: string): void {
    this.onDrop(this, reason);
    this.close(SLOW_CONSUMER_CLOSE_CODE, reason);
  }
}
