import { AgentRuntimeError, type ErrorCode, type ErrorResponse } from '@agent-runtime/core';

/**
 * The one place where error codes become HTTP statuses. `Record<ErrorCode, number>` makes a new
 * code in core fail to compile here until it has a status.
 */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  INVALID_CONFIG: 500,
  PATH_REFUSED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  REQUEST_NOT_FOUND: 404,
  PROFILE_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  SESSION_TERMINATED: 409,
  SESSION_BUSY: 409,
  TOO_MANY_QUEUED_MESSAGES: 429,
  RUNTIME_RESTARTED: 503,
  NO_TURN_RUNNING: 409,
  UNSUPPORTED_ARCHITECTURE: 400,
  UNSUPPORTED_OPERATION: 501,
  SANDBOX_UNAVAILABLE: 503,
  SANDBOX_TERMINATED: 409,
  SANDBOX_ERROR: 502,
  AGENT_ERROR: 502,
  PERSISTENCE_ERROR: 503,
  RESYNC_REQUIRED: 409,
  TURN_TIMEOUT: 504,
  LEASE_LOST: 409,
  OWNER_UNREACHABLE: 503,
  NODE_LOST: 503,
  LIMIT_EXCEEDED: 429,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
};

export interface MappedError {
  status: number;
  body: ErrorResponse;
  /** True when the error was not one of ours (log it; its message was not sent). */
  unexpected: boolean;
}

interface FastifyLikeError {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  validation?: unknown;
}

function body(code: string, message: string, details?: Record<string, unknown>): ErrorResponse {
  return details ? { error: { code, message, details } } : { error: { code, message } };
}

/**
 * Any thrown value -> status + `{ error: { code, message, details? } }`. Our coded errors keep
 * their message and details; fastify's own client errors (bad JSON, body too large, wrong
 * content type) are mapped to our codes; anything else is a 500 that reveals nothing.
 */
export function mapError(error: unknown): MappedError {
  if (AgentRuntimeError.isInstance(error)) {
    const status = ERROR_STATUS[error.code] ?? 500;
    if (status >= 500 && error.code === 'INTERNAL_ERROR') {
      return { status, body: body('INTERNAL_ERROR', 'Internal server error.'), unexpected: true };
    }
    return { status, body: body(error.code, error.message, error.details), unexpected: false };
  }
  const fastifyError = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError;
  const statusCode = typeof fastifyError.statusCode === 'number' ? fastifyError.statusCode : 500;
  const fastifyCode = typeof fastifyError.code === 'string' ? fastifyError.code : undefined;
  if (statusCode === 413) {
    return {
      status: 413,
      body: body('PAYLOAD_TOO_LARGE', 'Request body is too large.', fastifyCode ? { reason: fastifyCode } : undefined),
      unexpected: false,
    };
  }
  if (statusCode === 415) {
    return { status: 415, body: body('UNSUPPORTED_MEDIA_TYPE', 'body: unsupported content type; send application/json.', { field: 'body' }), unexpected: false };
  }
  if (statusCode === 404) return { status: 404, body: body('NOT_FOUND', 'Not found.'), unexpected: false };
  if (statusCode >= 400 && statusCode < 500) {
    const message = describeClientError(fastifyCode, fastifyError.message);
    return { status: statusCode, body: body('INVALID_INPUT', message, { field: 'body', reason: fastifyCode ?? 'bad request' }), unexpected: false };
  }
  return { status: 500, body: body('INTERNAL_ERROR', 'Internal server error.'), unexpected: true };
}

function describeClientError(code: string | undefined, message: unknown): string {
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case undefined:
      if (typeof message === 'string' && /JSON/i.test(message)) return 'body: invalid JSON.';
      return 'Bad request.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body: empty JSON body; send a JSON object.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'body: unsupported content type; send application/json.';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'body: content-length does not match the body.';
    default:
      return 'Bad request.';
  }
}
