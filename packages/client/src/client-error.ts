const marker = Symbol.for('agent-runtime.client-error');

/**
 * A failed call: `code` is the server's error code (`SESSION_NOT_FOUND`, `INVALID_INPUT`...), or
 * `NETWORK_ERROR` / `DISCONNECTED` / `TIMEOUT` from the client itself; `status` is the HTTP
 * status (0 when no response came).
 */
export class AgentRuntimeClientError extends Error {
  private readonly [marker] = true;
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { status?: number; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentRuntimeClientError';
    this.code = code;
    this.status = options.status ?? 0;
    this.details = options.details;
  }

  static isInstance(error: unknown): error is AgentRuntimeClientError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
