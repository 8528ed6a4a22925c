import { AgentRuntimeError } from '@agent-runtime/core';
import type { SessionEngine } from '@agent-runtime/core';
import type { FastifyRequest } from 'fastify';

/** What the caller is: whatever `authenticate` returned (a user, a token's claims...). */
export type Principal = unknown;

/** What a request or a `session:join` wants to do with one session. */
export type SessionAction = 'read' | 'join' | 'message' | 'interrupt' | 'terminate' | 'read-file';

/**
 * Decides who the caller is. Return `false` (or `undefined`) to refuse with 401, or an object with
 * an optional `principal` to accept. Runs on every REST route except `/health`, `/ready` and
 * `/openapi.json`, and on the WebSocket upgrade (browsers cannot set headers there: accept the
 * token in a query parameter too, as `bearerTokenAuthenticator` does).
 */
export type Authenticate = (
  request: FastifyRequest,
) => { principal?: Principal } | false | undefined | Promise<{ principal?: Principal } | false | undefined>;

/** Decides whether `principal` may do `action` on `sessionId` (403 / a failed join when not). */
export type AuthorizeSession = (principal: Principal, sessionId: string, action: SessionAction) => boolean | Promise<boolean>;

export interface CorsOptions {
  /** As `@fastify/cors`: `true` reflects the request origin, or a string, RegExp, list or function. */
  origin: boolean | string | RegExp | (string | RegExp)[] | ((origin: string | undefined) => boolean);
  /** Send `Access-Control-Allow-Credentials`. Default false. */
  credentials?: boolean;
}

export interface AgentRuntimePluginOptions {
  /** The session engine the routes and the WebSocket drive (`SessionManager` implements it). */
  engine: SessionEngine;
  authenticate?: Authenticate;
  authorizeSession?: AuthorizeSession;
  /** CORS for the routes of this plugin. Default: off (no CORS headers: browsers allow same-origin only). */
  cors?: CorsOptions;
  /** Path of the WebSocket endpoint. Default `'/'`, so `ws://host:port` works as in the reference. */
  websocketPath?: string;
  /** Largest REST body in bytes (413 above). Default 4 MiB (user messages may carry images). */
  maxBodyBytes?: number;
  /** Largest client WebSocket frame in bytes (an `error` event above; 16x this closes the socket). Default 64 KiB. */
  maxMessageBytes?: number;
  replay?: {
    /** Most events replayed on one join; a larger gap gets `session:resync`. Default: the bus's whole window. */
    maxEvents?: number;
  };
  /** Ping interval; a socket that missed the previous pong is dropped. Default 30 000 ms; 0 disables. */
  heartbeatMs?: number;
  /**
   * Frames queued behind a socket's unsent data before it is dropped as too slow (close 4000).
   * Default 10 000. Frames a reading client takes at once are never counted.
   */
  maxQueuedFramesPerSocket?: number;
  /** Bytes waiting to be sent to a socket (`ws` `bufferedAmount`) before it is dropped as too slow (close 4000). Default 16 MiB. */
  maxBufferedBytesPerSocket?: number;
}

export interface ResolvedPluginOptions {
  engine: SessionEngine;
  authenticate: Authenticate | undefined;
  authorizeSession: AuthorizeSession | undefined;
  cors: CorsOptions | undefined;
  websocketPath: string;
  maxBodyBytes: number;
  maxMessageBytes: number;
  maxReplayEvents: number;
  heartbeatMs: number;
  maxQueuedFramesPerSocket: number;
  maxBufferedBytesPerSocket: number;
}

function positiveInteger(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0 || (!allowZero && value === 0)) {
    throw new AgentRuntimeError('INVALID_CONFIG', `${name}: expected a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}.`, {
      details: { field: name },
    });
  }
  return value;
}

/** Validates the options at registration (a bad option fails `register`, not the first request). */
export function resolvePluginOptions(options: AgentRuntimePluginOptions): ResolvedPluginOptions {
  const engine = options?.engine as SessionEngine | undefined;
  if (!engine || typeof engine.createSession !== 'function' || typeof engine.events?.subscribe !== 'function') {
    throw new AgentRuntimeError('INVALID_CONFIG', 'engine: expected a SessionEngine (createSession, events, ...).', {
      details: { field: 'engine' },
    });
  }
  for (const name of ['authenticate', 'authorizeSession'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new AgentRuntimeError('INVALID_CONFIG', `${name}: expected a function.`, { details: { field: name } });
    }
  }
  const websocketPath = options.websocketPath ?? '/';
  if (typeof websocketPath !== 'string' || !websocketPath.startsWith('/')) {
    throw new AgentRuntimeError('INVALID_CONFIG', 'websocketPath: expected a path starting with "/".', { details: { field: 'websocketPath' } });
  }
  if (options.cors !== undefined && (typeof options.cors !== 'object' || options.cors === null || !('origin' in options.cors))) {
    throw new AgentRuntimeError('INVALID_CONFIG', 'cors: expected { origin }.', { details: { field: 'cors' } });
  }
  return {
    engine,
    authenticate: options.authenticate,
    authorizeSession: options.authorizeSession,
    cors: options.cors,
    websocketPath,
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, 4 * 1024 * 1024),
    maxMessageBytes: positiveInteger('maxMessageBytes', options.maxMessageBytes, 64 * 1024),
    maxReplayEvents: positiveInteger('replay.maxEvents', options.replay?.maxEvents, Number.MAX_SAFE_INTEGER),
    heartbeatMs: positiveInteger('heartbeatMs', options.heartbeatMs, 30_000, true),
    maxQueuedFramesPerSocket: positiveInteger('maxQueuedFramesPerSocket', options.maxQueuedFramesPerSocket, 10_000),
    maxBufferedBytesPerSocket: positiveInteger('maxBufferedBytesPerSocket', options.maxBufferedBytesPerSocket, 16 * 1024 * 1024),
  };
}
