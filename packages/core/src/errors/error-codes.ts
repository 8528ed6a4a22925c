/**
 * Stable error codes. Clients may switch on them; they never change meaning.
 * The HTTP layer alone maps them to statuses.
 */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'INVALID_CONFIG',
  'PATH_REFUSED',
  'PAYLOAD_TOO_LARGE',
  /** A request body that is not JSON (`text/plain`, a form...). */
  'UNSUPPORTED_MEDIA_TYPE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  /** No permission request or question with this id in the session. */
  'REQUEST_NOT_FOUND',
  'SESSION_NOT_FOUND',
  'PROFILE_NOT_FOUND',
  'FILE_NOT_FOUND',
  'SESSION_TERMINATED',
  'SESSION_BUSY',
  'TOO_MANY_QUEUED_MESSAGES',
  'RUNTIME_RESTARTED',
  'NO_TURN_RUNNING',
  'UNSUPPORTED_ARCHITECTURE',
  'UNSUPPORTED_OPERATION',
  'SANDBOX_UNAVAILABLE',
  'SANDBOX_TERMINATED',
  'SANDBOX_ERROR',
  'AGENT_ERROR',
  'PERSISTENCE_ERROR',
  'RESYNC_REQUIRED',
  'TURN_TIMEOUT',
  /** A write carried a fencing token older than the session's current lease: another node owns the session now. */
  'LEASE_LOST',
  /** A command for a session owned by another node got no reply from it in time. */
  'OWNER_UNREACHABLE',
  /** The node that ran a turn died; the turn ended without finishing. */
  'NODE_LOST',
  /** A configured bound was reached (sessions or connections per principal); `details.limit` names it. */
  'LIMIT_EXCEEDED',
  /** Too many requests in the rate-limit window; `details.retryAfterMs` says when to retry. */
  'RATE_LIMITED',
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
