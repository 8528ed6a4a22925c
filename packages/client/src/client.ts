import { RestClient, type FetchLike, type RestClientOptions } from './rest-client.js';
import { AgentRuntimeSocket, type ClientLogger, type ReconnectOptions, type Timers, type WebSocketConstructor } from './socket.js';

export interface AgentRuntimeClientOptions {
  /** `http://host:port` of the runtime (plus a prefix if it is mounted under one). */
  baseUrl: string;
  /** Bearer token (or a function returning the current one): `Authorization` on REST, `?access_token=` on the WebSocket. */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Default `globalThis.WebSocket`; pass the `ws` package on Node < 22. */
  WebSocket?: WebSocketConstructor;
  /** Default: `baseUrl` with ws(s):// and path `/`. */
  websocketUrl?: string;
  headers?: Record<string, string>;
  reconnect?: ReconnectOptions;
  /** Retries of `sendMessage` on network errors and 502/503/504. Default 2. */
  messageRetries?: number;
  /** Where the socket logs `client:error` reports nobody listens to. Default: `console.error`. */
  logger?: ClientLogger;
  /** Timers for the socket's backoff and ack timeouts and for `sendMessage`'s retry delays. Default: the global ones. */
  timers?: Timers;
}

/** REST methods plus one shared, lazily connected socket. */
export interface AgentRuntimeClient extends RestClient {
  /** The shared socket (created on first call; connects on first join or `connect()`). */
  socket(): AgentRuntimeSocket;
  /** Connects the shared socket and resolves with it once open. */
  connect(): Promise<AgentRuntimeSocket>;
  /** Closes the socket for good. */
  close(): void;
}

function websocketUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = '/';
  url.search = '';
  return url.toString();
}

/**
 * A client for agent-runtime. Synchronous and I/O-free: nothing is sent before the first call.
 *
 * @example
 * const client = createAgentRuntimeClient({ baseUrl: 'http://localhost:3003' });
 * const { sessionId } = await client.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
 * const socket = client.socket();
 * socket.on('session:block:delta', ({ delta }) => process.stdout.write(delta));
 * await socket.join(sessionId);
 * await client.sendMessage(sessionId, 'What files are in this directory?');
 */
export function createAgentRuntimeClient(options: AgentRuntimeClientOptions): AgentRuntimeClient {
  const restOptions: RestClientOptions = {
    baseUrl: options.baseUrl,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.messageRetries === undefined ? {} : { messageRetries: options.messageRetries }),
    ...(options.timers === undefined ? {} : { timers: options.timers }),
  };
  const rest = new RestClient(restOptions);
  let socket: AgentRuntimeSocket | undefined;
  const client = rest as AgentRuntimeClient;
  client.socket = () => {
    socket ??= new AgentRuntimeSocket({
      url: options.websocketUrl ?? websocketUrlFor(options.baseUrl),
      ...(options.WebSocket === undefined ? {} : { WebSocket: options.WebSocket }),
      ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.timers === undefined ? {} : { timers: options.timers }),
      token: () => rest.token(),
      loadSession: (sessionId) => rest.getSession(sessionId),
    });
    return socket;
  };
  client.connect = async () => {
    const shared = client.socket();
    await shared.connect();
    return shared;
  };
  client.close = () => socket?.close();
  return client;
}
