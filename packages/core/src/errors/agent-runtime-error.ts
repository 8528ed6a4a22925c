import type { ErrorCode } from './error-codes.js';

const marker = Symbol.for('agent-runtime.error');

export interface AgentRuntimeErrorOptions {
  /** Structured facts about the failure (ids, field names); safe to send to clients. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * The one error class of agent-runtime: a stable `code`, a message written for the person who
 * has to fix it, and structured `details`. Use `AgentRuntimeError.isInstance(error)` rather than
 * `instanceof`, which fails across duplicated package copies.
 */
export class AgentRuntimeError extends Error {
  private readonly [marker] = true;
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AgentRuntimeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentRuntimeError';
    this.code = code;
    this.details = options.details;
  }

  static isInstance(error: unknown): error is AgentRuntimeError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }

  /** Plain JSON for an HTTP body or an `error` event. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** True when `error` is an `AgentRuntimeError` with the given code. */
export function hasErrorCode(error: unknown, code: ErrorCode): error is AgentRuntimeError {
  return AgentRuntimeError.isInstance(error) && error.code === code;
}
