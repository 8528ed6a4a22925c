import type { WebSocketConstructor, WebSocketLike } from '../socket-types.js';

/** A scripted WebSocket for unit tests of the socket (the end-to-end suites use a real server). */
export class FakeWebSocket implements WebSocketLike {
  static instances: FakeWebSocket[] = [];
  readyState = 0;
  readonly sent: { event: string; args: unknown[]; ack?: number }[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this);
  }

  static get latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error('no FakeWebSocket was created');
    return socket;
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The server accepted the connection. */
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** A frame from the server: an object (sent as JSON) or raw text. */
  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  /** Answers the last frame that asked for an ack. */
  answerLast(result: Record<string, unknown>): void {
    const request = [...this.sent].reverse().find((frame) => frame.ack !== undefined);
    if (!request) throw new Error('nothing to answer');
    this.receive({ ack: request.ack, result });
  }
}

export const FakeWebSocketConstructor = FakeWebSocket as unknown as WebSocketConstructor;
