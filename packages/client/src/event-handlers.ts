import type { ClientErrorReport, ClientEventMap, ClientEventName, ClientLogger, EventMeta, ServerEventFrame } from './socket-types.js';

type AnyHandler = (data: never, meta: EventMeta) => void;

/**
 * The handlers registered with `on`/`onAny`, and delivery to them. A handler that throws does not
 * stop the others; what it threw is reported on `client:error` (or logged when nobody listens
 * there), never swallowed.
 */
export class EventHandlers {
  private readonly byEvent = new Map<string, Set<AnyHandler>>();
  private readonly any = new Set<(event: ServerEventFrame) => void>();

  constructor(private readonly logger: ClientLogger) {}

  on<E extends ClientEventName>(event: E, handler: (data: ClientEventMap[E], meta: EventMeta) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) {
      set = new Set();
      this.byEvent.set(event, set);
    }
    set.add(handler as AnyHandler);
    return () => this.off(event, handler);
  }

  off<E extends ClientEventName>(event: E, handler: (data: ClientEventMap[E], meta: EventMeta) => void): void {
    this.byEvent.get(event)?.delete(handler as AnyHandler);
  }

  onAny(handler: (event: ServerEventFrame) => void): () => void {
    this.any.add(handler);
    return () => this.any.delete(handler);
  }

  /** A server event: its named handlers, then every `onAny` handler. */
  deliver(frame: ServerEventFrame): void {
    const meta: EventMeta = frame.seq === undefined ? {} : { seq: frame.seq };
    const sessionId = (frame.data as { sessionId?: unknown } | null | undefined)?.sessionId;
    const concerning = typeof sessionId === 'string' ? sessionId : undefined;
    for (const handler of [...(this.byEvent.get(frame.event) ?? [])]) this.call(frame.event, concerning, () => handler(frame.data as never, meta));
    for (const handler of [...this.any]) this.call(frame.event, concerning, () => handler(frame));
  }

  /** An event of the socket itself (`connection:*`, `session:resynced`, ...). */
  emitLocal<E extends ClientEventName>(event: E, data: ClientEventMap[E]): void {
    const sessionId = (data as { sessionId?: unknown }).sessionId;
    const concerning = typeof sessionId === 'string' ? sessionId : undefined;
    for (const handler of [...(this.byEvent.get(event) ?? [])]) this.call(event, concerning, () => handler(data as never, {}));
  }

  /** Reports a problem on `client:error`; logs it when nobody listens there (or a listener throws). */
  report(report: ClientErrorReport): void {
    const listeners = [...(this.byEvent.get('client:error') ?? [])];
    if (listeners.length === 0) {
      this.log(report);
      return;
    }
    for (const handler of listeners) {
      try {
        handler(report as never, {});
      } catch (error) {
        this.log(report);
        this.logger.error({ code: 'HANDLER_FAILED', event: 'client:error', err: error }, 'a client:error handler threw');
      }
    }
  }

  private call(event: string, sessionId: string | undefined, run: () => void): void {
    try {
      run();
    } catch (error) {
      this.report({
        code: 'HANDLER_FAILED',
        message: `A handler of "${event}" threw: ${error instanceof Error ? error.message : String(error)}`,
        event,
        cause: error,
        ...(sessionId === undefined ? {} : { sessionId }),
      });
    }
  }

  private log(report: ClientErrorReport): void {
    const { cause, message, ...rest } = report;
    this.logger.error({ ...rest, ...(cause === undefined ? {} : { err: cause }) }, message);
  }
}

/** The default logger: the console (browsers and Node alike). */
export const consoleLogger: ClientLogger = {
  error: (object, message) => console.error(`[agent-runtime client] ${message ?? ''}`, object),
};
