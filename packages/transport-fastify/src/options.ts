import { AgentRuntimeError } from '@agent-runtime/core';
import type { SessionEngine } from '@agent-runtime/core';
import type { FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';

/** What the caller is: whatever `authenticate` returned (a user, a token's claims...). */
export type Principal = unknown;

/** What a request or a `session:join` wants to do with one session. */
/** What a principal does to a session; `answer`: answer its permission requests and questions. */
export type SessionAction = 'read' | 'join' | 'message' | 'interrupt' | 'terminate' | 'read-file' | 'write-file' | 'answer';

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

/** Bounds on what one principal may hold or send (each answered with 429 and a coded error). */
export interface LimitsOptions {
  /** Open sessions (not `completed`/`failed`) one principal may have created through this server. Default 100. */
  sessionsPerPrincipal?: number;
  /** WebSocket connections one principal may hold at once (close 4029 `LIMIT_EXCEEDED` above). Default 200 (one IP shares it when there is no `authenticate`). */
  connectionsPerPrincipal?: number;
  /** `POST /sessions/:id/message` requests one principal may make per `messageWindowMs` (429 `RATE_LIMITED` above). Default 300; 0 disables. */
  messagesPerWindow?: number;
  /** The rate-limit window in milliseconds. Default 60 000. */
  messageWindowMs?: number;
}

export interface MetricsOptions {
  /** Path of the Prometheus endpoint. Default `/metrics`. */
  path?: string;
  /** Serve it without `authenticate` (for a scraper without a token). Default false. */
  public?: boolean;
  /** The prom-client registry to fill. Default: a registry of this server's own. */
  registry?: Registry;
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
  /**
   * Host names (without port) the server answers to; any other `Host` header gets 403 (a defence
   * against DNS rebinding). Default: `localhost`, `*.localhost`, `127.0.0.1`, `[::1]` and the address
   * the request arrived on. `'any'` turns the check off (behind a proxy that checks it).
   */
  allowedHosts?: string[] | 'any';
  /**
   * Browser origins (`https://app.example`) allowed to open the WebSocket and to make
   * state-changing requests (POST, DELETE). Same-origin requests and requests without `Origin`
   * (non-browser clients) are always allowed; origins `cors` allows are too. Default: none else.
   * `'any'` turns the check off.
   */
  allowedOrigins?: string[] | 'any';
  /** Bounds on sessions, connections and message rate per principal. */
  limits?: LimitsOptions;
  /**
   * The key `limits` count under. Default: a string or number principal itself, else its `id`,
   * `sub`, `userId` or `user` field when a string, else the client's IP address.
   */
  principalKey?: (principal: Principal, request: FastifyRequest) => string;
  /** Prometheus metrics (`agent_runtime_*`). Default: on, at `/metrics`, behind `authenticate`. `false` turns them off. */
  metrics?: boolean | MetricsOptions;
  /** Largest REST body in bytes (413 above). Default 4 MiB (user messages may carry images). */
  maxBodyBytes?: number;
  /** Body limit of the upload routes (`PUT /sessions/:id/files/*`, the tar `POST /sessions/:id/files`); default 64 MiB. Each file is also held to the engine's mirror limit. */
  maxUploadBytes?: number;
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
  maxUploadBytes: number;
  maxMessageBytes: number;
  maxReplayEvents: number;
  heartbeatMs: number;
  maxQueuedFramesPerSocket: number;
  maxBufferedBytesPerSocket: number;
  allowedHosts: string[] | 'any';
  allowedOrigins: string[] | 'any';
  limits: Required<LimitsOptions>;
  principalKey: ((principal: Principal, request: FastifyRequest) => string) | undefined;
  metrics: { path: string; public: boolean; registry: Registry | undefined } | undefined;
}

function stringList(name: string, value: string[] | 'any' | undefined): string[] | 'any' {
  if (value === undefined) return [];
  if (value === 'any') return 'any';
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw new AgentRuntimeError('INVALID_CONFIG', `${name}: expected a list of non-empty strings or 'any'.`, { details: { field: name } });
  }
  return value.map((item) => item.toLowerCase());
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
  if (options.principalKey !== undefined && typeof options.principalKey !== 'function') {
    throw new AgentRuntimeError('INVALID_CONFIG', 'principalKey: expected a function.', { details: { field: 'principalKey' } });
  }
  const limits = options.limits ?? {};
  const metrics = options.metrics === false ? undefined : options.metrics === true || options.metrics === undefined ? {} : options.metrics;
  if (metrics?.path !== undefined && (typeof metrics.path !== 'string' || !metrics.path.startsWith('/'))) {
    throw new AgentRuntimeError('INVALID_CONFIG', 'metrics.path: expected a path starting with "/".', { details: { field: 'metrics.path' } });
  }
  return {
    engine,
    allowedHosts: stringList('allowedHosts', options.allowedHosts),
    allowedOrigins: stringList('allowedOrigins', options.allowedOrigins),
    limits: {
      sessionsPerPrincipal: positiveInteger('limits.sessionsPerPrincipal', limits.sessionsPerPrincipal, 100),
      connectionsPerPrincipal: positiveInteger('limits.connectionsPerPrincipal', limits.connectionsPerPrincipal, 200),
      messagesPerWindow: positiveInteger('limits.messagesPerWindow', limits.messagesPerWindow, 300, true),
      messageWindowMs: positiveInteger('limits.messageWindowMs', limits.messageWindowMs, 60_000),
    },
    principalKey: options.principalKey,
    metrics: metrics ? { path: metrics.path ?? '/metrics', public: metrics.public === true, registry: metrics.registry } : undefined,
    authenticate: options.authenticate,
    authorizeSession: options.authorizeSession,
    cors: options.cors,
    websocketPath,
    maxBodyBytes: positiveInteger('maxBodyBytes', options.maxBodyBytes, 4 * 1024 * 1024),
    maxUploadBytes: positiveInteger('maxUploadBytes', options.maxUploadBytes, 64 * 1024 * 1024),
    maxMessageBytes: positiveInteger('maxMessageBytes', options.maxMessageBytes, 64 * 1024),
    maxReplayEvents: positiveInteger('replay.maxEvents', options.replay?.maxEvents, Number.MAX_SAFE_INTEGER),
    heartbeatMs: positiveInteger('heartbeatMs', options.heartbeatMs, 30_000, true),
    maxQueuedFramesPerSocket: positiveInteger('maxQueuedFramesPerSocket', options.maxQueuedFramesPerSocket, 10_000),
    maxBufferedBytesPerSocket: positiveInteger('maxBufferedBytesPerSocket', options.maxBufferedBytesPerSocket, 16 * 1024 * 1024),
  };
}
