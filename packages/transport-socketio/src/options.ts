import { AgentRuntimeError } from '@agent-runtime/core';
import type { SessionEngine } from '@agent-runtime/session-engine';
import type { Authenticate, AuthorizeSession, CorsOptions } from '@agent-runtime/transport-fastify';

export interface SocketIoPluginOptions {
  /** The engine to serve. Default: the one `agentRuntimePlugin` decorated the instance with. */
  engine?: SessionEngine;
  /**
   * The same hook as the raw WebSocket's: it receives the Socket.IO handshake as a request
   * (headers, query, `ws: true`). `auth: { token }` of the client is also offered as the
   * `access_token` query parameter, so `bearerTokenAuthenticator` accepts it unchanged.
   */
  authenticate?: Authenticate;
  /** The same per-session hook as the raw WebSocket's, asked with action `join`. */
  authorizeSession?: AuthorizeSession;
  /** Where Socket.IO listens. Default `/socket.io` (what `socket.io-client` uses). */
  path?: string;
  /** CORS for the long-polling transport; origins it allows may also connect. Default: off (same origin only). */
  cors?: CorsOptions;
  /**
   * Host names the endpoint answers to besides loopback names and the address a connection
   * arrived on (`'*.example.com'` wildcards; `'any'` turns the check off). Any other `Host` is
   * refused with 403 — a defence against DNS rebinding. Pass the runtime's `allowedHosts`.
   */
  allowedHosts?: string[] | 'any';
  /**
   * Browser origins (`'https://app.example'`) allowed to connect besides same-origin pages (and
   * clients that send no `Origin`); `'any'` turns the check off. Pass the runtime's `allowedOrigins`.
   */
  allowedOrigins?: string[] | 'any';
  /** Most events replayed on one join with `since`; a larger gap gets `session:resync`. Default: the bus's window. */
  maxReplayEvents?: number;
  /** Packets waiting to be written to a client before it is disconnected as too slow. Default 10 000. */
  maxBufferedPackets?: number;
  /** Largest message a client may send, in bytes (Engine.IO closes the connection above). Default 64 KiB. */
  maxMessageBytes?: number;
}

export interface ResolvedSocketIoOptions {
  engine: SessionEngine | undefined;
  authenticate: Authenticate | undefined;
  authorizeSession: AuthorizeSession | undefined;
  path: string;
  cors: CorsOptions | undefined;
  allowedHosts: string[] | 'any';
  allowedOrigins: string[] | 'any';
  maxReplayEvents: number;
  maxBufferedPackets: number;
  maxMessageBytes: number;
}

function invalid(field: string, message: string): AgentRuntimeError {
  return new AgentRuntimeError('INVALID_CONFIG', `${field}: ${message}`, { details: { field } });
}

function stringList(field: string, value: string[] | 'any' | undefined): string[] | 'any' {
  if (value === undefined) return [];
  if (value === 'any') return 'any';
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string' || entry.length === 0)) {
    throw invalid(field, "expected a list of non-empty strings or 'any'.");
  }
  return [...value];
}

function positive(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw invalid(field, `expected a positive integer, got ${String(value)}.`);
  return value;
}

/** Validates the options at registration (a bad option fails `register`, not the first client). */
export function resolveSocketIoOptions(options: SocketIoPluginOptions = {}): ResolvedSocketIoOptions {
  for (const name of ['authenticate', 'authorizeSession'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') throw invalid(name, 'expected a function.');
  }
  if (options.engine !== undefined && typeof options.engine?.events?.subscribe !== 'function') {
    throw invalid('engine', 'expected a SessionEngine (createSession, events, ...).');
  }
  const path = options.path ?? '/socket.io';
  if (typeof path !== 'string' || !/^\/[\w.~/-]*$/.test(path) || path === '/' || path.endsWith('/')) {
    throw invalid('path', 'expected a path like "/socket.io" (not "/", no trailing slash).');
  }
  return {
    engine: options.engine,
    authenticate: options.authenticate,
    authorizeSession: options.authorizeSession,
    path,
    cors: options.cors,
    allowedHosts: stringList('allowedHosts', options.allowedHosts),
    allowedOrigins: stringList('allowedOrigins', options.allowedOrigins),
    maxReplayEvents: positive('maxReplayEvents', options.maxReplayEvents, Number.MAX_SAFE_INTEGER),
    maxBufferedPackets: positive('maxBufferedPackets', options.maxBufferedPackets, 10_000),
    maxMessageBytes: positive('maxMessageBytes', options.maxMessageBytes, 64 * 1024),
  };
}
