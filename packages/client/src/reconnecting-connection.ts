import { AgentRuntimeClientError } from './client-error.js';
import type { ReconnectOptions, Timers, WebSocketConstructor, WebSocketLike } from './socket-types.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ReconnectingConnectionOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  /** Sent as `?access_token=` (browsers cannot set headers on the upgrade). */
  token?: () => string | undefined | Promise<string | undefined>;
  reconnect?: ReconnectOptions;
  timers: Timers;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
  onOpen(reconnected: boolean): void;
  onMessage(data: unknown): void;
  onClose(event: { code: number; reason: string; willReconnect: boolean }): void;
}

/** The URL with `access_token=<token>` added. */
export function withAccessToken(url: string, token: string | undefined): string {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(token)}`;
}

/** The delay before reconnect attempt `attempt` (0-based): doubling from `initialDelayMs` up to `maxDelayMs`, times a jitter in [0.5, 1). */
export function backoffDelay(attempt: number, options: ReconnectOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialDelayMs ?? 250;
  const max = options.maxDelayMs ?? 10_000;
  return Math.min(max, initial * 2 ** attempt) * (0.5 + random() * 0.5);
}

/**
 * One WebSocket at a time to the runtime: opens it (token in the URL), and after a drop opens a
 * new one with exponential backoff and jitter until `close()`. Knows nothing about frames.
 */
export class ReconnectingConnection {
  state: ConnectionState = 'idle';
  private socket: WebSocketLike | undefined;
  private attempts = 0;
  private everOpened = false;
  private reconnectTimer: unknown;
  private openWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly options: ReconnectingConnectionOptions) {}

  /** Resolves once open (later drops reconnect on their own); rejects if it closes for good first. */
  connect(): Promise<void> {
    if (this.state === 'open') return Promise.resolve();
    const waiter = new Promise<void>((resolve, reject) => this.openWaiters.push({ resolve, reject }));
    if (this.state === 'idle' || this.state === 'closed') {
      this.state = 'connecting';
      void this.open();
    }
    return waiter;
  }

  get isOpen(): boolean {
    return this.state === 'open' && this.socket !== undefined;
  }

  /** Sends a text frame; throws DISCONNECTED when not open. */
  send(text: string): void {
    if (!this.socket || this.state !== 'open') throw new AgentRuntimeClientError('DISCONNECTED', 'Not connected.');
    this.socket.send(text);
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.state = 'closed';
    if (this.reconnectTimer !== undefined) this.options.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'client closed');
    this.rejectWaiters(new AgentRuntimeClientError('DISCONNECTED', 'The socket was closed.'));
  }

  /** Drops the connection as a network failure would (it reconnects). */
  drop(): void {
    this.socket?.close(4001, 'reconnect');
  }

  private async open(): Promise<void> {
    let token: string | undefined;
    try {
      token = await this.options.token?.();
    } catch (error) {
      this.scheduleReconnect(1006, `token: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    if (this.state === 'closed') return;
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(withAccessToken(this.options.url, token));
    } catch (error) {
      this.scheduleReconnect(1006, (error as Error)?.message ?? 'connect failed');
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const reconnected = this.everOpened;
      this.state = 'open';
      this.everOpened = true;
      this.attempts = 0;
      for (const waiter of this.openWaiters.splice(0)) waiter.resolve();
      this.options.onOpen(reconnected);
    };
    socket.onmessage = (event) => {
      if (this.socket === socket) this.options.onMessage(event.data);
    };
    socket.onerror = () => {}; // a close event follows
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.scheduleReconnect(event.code, event.reason);
    };
  }

  private scheduleReconnect(code: number, reason: string): void {
    const reconnect = this.options.reconnect ?? {};
    const willReconnect = this.state !== 'closed' && reconnect.enabled !== false;
    if (willReconnect) this.state = 'reconnecting';
    else this.state = 'closed';
    this.options.onClose({ code, reason, willReconnect });
    if (!willReconnect) {
      this.rejectWaiters(new AgentRuntimeClientError('DISCONNECTED', `Connection closed (${code}).`));
      return;
    }
    const delay = backoffDelay(this.attempts, reconnect, this.options.random);
    this.attempts++;
    this.reconnectTimer = this.options.timers.setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.state === 'reconnecting') void this.open();
    }, delay);
  }

  private rejectWaiters(error: AgentRuntimeClientError): void {
    for (const waiter of this.openWaiters.splice(0)) waiter.reject(error);
  }
}
