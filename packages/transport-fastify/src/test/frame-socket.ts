import { WebSocket } from 'ws';

export interface ReceivedEventFrame {
  event: string;
  data: Record<string, unknown>;
  seq?: number;
}

/**
 * A raw-protocol WebSocket client for tests: collects every frame, sends client events with ack
 * numbers and waits for their acks or for frames matching a predicate.
 */
export class FrameSocket {
  readonly frames: Record<string, unknown>[] = [];
  readonly events: ReceivedEventFrame[] = [];
  private nextAck = 1;
  private waiters: { predicate: () => boolean; resolve: () => void }[] = [];
  closeCode: number | undefined;
  closeReason: string | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      this.frames.push(frame);
      if (typeof frame.event === 'string') this.events.push(frame as unknown as ReceivedEventFrame);
      this.check();
    });
    socket.on('close', (code, reason) => {
      this.closeCode = code;
      this.closeReason = String(reason);
      this.check();
    });
  }

  /** Connects; rejects with the HTTP status when the upgrade is refused. */
  static connect(url: string, options: { headers?: Record<string, string> } = {}): Promise<FrameSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers: options.headers });
      socket.once('open', () => resolve(new FrameSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(Object.assign(new Error(`upgrade refused: ${response.statusCode}`), { status: response.statusCode }));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** Sends `{event, args, ack}` and resolves with the ack's `result`. */
  async request(event: string, args: unknown[]): Promise<Record<string, unknown>> {
    const ack = this.nextAck++;
    const from = this.frames.length;
    this.sendRaw(JSON.stringify({ event, args, ack }));
    const frame = await this.waitUntil(() => this.frames.slice(from).find((candidate) => candidate.ack === ack));
    return frame.result as Record<string, unknown>;
  }

  join(sessionId: string, since?: number): Promise<Record<string, unknown>> {
    return this.request('session:join', since === undefined ? [sessionId] : [sessionId, { since }]);
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  waitForFrame(predicate: (frame: Record<string, unknown>) => boolean, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    return this.waitUntil(() => this.frames.find(predicate), timeoutMs);
  }

  /** Resolves when `probe` returns something other than undefined/false (checked on each frame). */
  waitUntil<T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const found = probe();
      if (found !== undefined && found !== false) return resolve(found);
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== entry);
        reject(new Error('timed out waiting for a frame'));
      }, timeoutMs);
      const entry = {
        predicate: () => {
          const value = probe();
          if (value === undefined || value === false) return false;
          clearTimeout(timer);
          resolve(value);
          return true;
        },
        resolve: () => {},
      };
      this.waiters.push(entry);
    });
  }

  /** Session events (with `seq`) received for `sessionId`. */
  sessionEvents(sessionId: string): ReceivedEventFrame[] {
    return this.events.filter((frame) => frame.seq !== undefined && frame.data.sessionId === sessionId);
  }

  closed(): Promise<void> {
    return this.waitUntil(() => this.closeCode !== undefined).then(() => undefined);
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }

  private check(): void {
    this.waiters = this.waiters.filter((waiter) => !waiter.predicate());
  }
}
