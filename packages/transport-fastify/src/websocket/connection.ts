import type { WebSocket } from 'ws';
import type { Principal } from '../options.js';

/** Close code for a client that reads too slowly (its send queue overflowed). */
export const SLOW_CONSUMER_CLOSE_CODE = 4000;

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
  /** sessionId -> last sequence number sent on this socket. */
  readonly joined = new Map<string, { lastSeq: number }>();
  /** Answered a ping (or sent anything) since the last heartbeat. */
  alive = true;
  closed = false;
  private queued = 0;
  private readonly onWritten = () => {
    this.queued--;
  };

  constructor(
    readonly socket: WebSocket,
    readonly principal: Principal,
    private readonly limits: ConnectionLimits,
    private readonly onDrop: (connection: Connection, reason: string) => void,
  ) {}

  /** Frames handed to `ws` that are not yet written to the network. */
  get queuedFrames(): number {
    return this.queued;
  }

  /** Sends one text frame; returns false when the socket is closed or was just dropped as too slow. */
  send(text: string): boolean {
    if (this.closed || this.socket.readyState !== 1) return false;
    if (this.queued >= this.limits.maxQueuedFrames || this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.drop(`SLOW_CONSUMER: more than ${this.queued} frames / ${this.socket.bufferedAmount} bytes queued`);
      return false;
    }
    this.queued++;
    this.socket.send(text, this.onWritten);
    return true;
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
