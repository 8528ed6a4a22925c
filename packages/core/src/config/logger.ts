/**
 * The minimal logger libraries accept (pino and fastify's logger fit it). Object first:
 * `logger.info({ sessionId }, 'turn ended')`. Defaults to `noopLogger`.
 */
export interface Logger {
  debug(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
  child?(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
