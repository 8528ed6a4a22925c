import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { type RequestOptions as HttpsRequestOptions, request as httpsRequest } from 'node:https';
import { type Socket, connect } from 'node:net';
import type { Logger, SandboxModelUpstream } from '@agent-runtime/core';
import { hostAllowed, parseHostPatterns, resolveAllowedAddress } from './host-allowlist.js';

/** Headers that describe one hop and are never forwarded. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

interface ModelRoute {
  token: string;
  upstream: SandboxModelUpstream;
  url: URL;
}

function sameToken(candidate: string, token: string): boolean {
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuse(response: ServerResponse, status: number, code: string, message: string): void {
  if (response.headersSent) return void response.destroy();
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { code, message } }));
}

/**
 * The host side of a sandbox's network door. It listens on a unix socket bound into the sandbox
 * (or on 127.0.0.1 when the sandbox shares the network) and serves three kinds of request:
 * - a model request (`POST /v1/messages`, ...) carrying one of this proxy's tokens: forwarded to
 *   that token's upstream with the real credentials added and the token removed;
 * - `CONNECT host:port` for an allowlisted host: a TCP tunnel (HTTPS stays end-to-end encrypted);
 * - an absolute-URL `http://` request for an allowlisted host: forwarded.
 * Everything else is answered 403 with a JSON body. Loopback and link-local addresses are never dialled.
 */
export class EgressProxy {
  private readonly server: Server;
  private readonly routes: ModelRoute[] = [];
  private allowlist = parseHostPatterns([]);
  private readonly tunnels = new Set<Socket>();

  constructor(private readonly logger: Logger, private readonly sandboxId: string) {
    this.server = createServer((request, response) => void this.handle(request, response).catch((error: unknown) => {
      this.logger.warn({ sandboxId, error: String(error) }, 'sandbox-local: egress proxy request failed');
      refuse(response, 502, 'UPSTREAM_FAILED', 'The upstream could not be reached.');
    }));
    this.server.on('connect', (request: IncomingMessage, socket: Socket, head: Buffer) => void this.tunnel(request, socket, head));
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  /** Listens on a unix socket path, or on 127.0.0.1 (random port) when `path` is undefined. */
  async listen(path?: string): Promise<{ port?: number }> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      if (path === undefined) this.server.listen(0, '127.0.0.1', () => resolve());
      else this.server.listen(path, () => resolve());
    });
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? { port: address.port } : {};
  }

  /** Adds a model route and returns its token (random, 32 bytes, hex). */
  addModelRoute(upstream: SandboxModelUpstream): string {
    const token = `sbx-${randomBytes(32).toString('hex')}`;
    this.routes.push({ token, upstream, url: new URL(upstream.upstreamUrl) });
    return token;
  }

  setAllowedHosts(hosts: readonly string[]): void {
    this.allowlist = parseHostPatterns(hosts);
  }

  async close(): Promise<void> {
    for (const socket of this.tunnels) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private routeOf(request: IncomingMessage, url: URL): ModelRoute | undefined {
    for (const route of this.routes) {
      for (const name of route.upstream.tokenHeaders) {
        const value = request.headers[name.toLowerCase()];
        const text = Array.isArray(value) ? value[0] : value;
        if (text !== undefined && sameToken(text.replace(/^Bearer\s+/i, ''), route.token)) return route;
      }
      for (const name of route.upstream.tokenQueryParameters ?? []) {
        const value = url.searchParams.get(name);
        if (value !== null && sameToken(value, route.token)) return route;
      }
    }
    return undefined;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const target = request.url ?? '/';
    if (/^https?:\/\//i.test(target)) {
      const url = new URL(target);
      const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      // A client that sends everything through HTTP_PROXY still reaches its model route.
      const route = this.routeOf(request, url);
      if (route) return this.forwardModel(request, response, route, url);
      if (url.protocol !== 'http:' || !hostAllowed(this.allowlist, url.hostname, port)) {
        return refuse(response, 403, 'HOST_NOT_ALLOWED', `${url.hostname}:${port} is not on this sandbox's network allowlist.`);
      }
      const address = await resolveAllowedAddress(url.hostname).catch(() => null);
      if (address === null) return refuse(response, 403, 'HOST_NOT_ALLOWED', `${url.hostname} resolves to a local address.`);
      return this.pipe(request, response, httpRequest, { host: address, port, path: `${url.pathname}${url.search}`, servername: url.hostname, hostHeader: url.host }, request.headers);
    }
    const url = new URL(target, 'http://sandbox.invalid');
    const route = this.routeOf(request, url);
    if (!route) return refuse(response, 403, 'MODEL_TOKEN_REQUIRED', 'Requests to the model endpoint need this sandbox\'s model token.');
    return this.forwardModel(request, response, route, url);
  }

  private forwardModel(request: IncomingMessage, response: ServerResponse, route: ModelRoute, url: URL): Promise<void> {
    const upstream = route.url;
    const query = new URLSearchParams(url.search);
    for (const name of route.upstream.tokenQueryParameters ?? []) query.delete(name);
    for (const [name, value] of Object.entries(route.upstream.query ?? {})) query.set(name, value);
    const search = query.toString();
    const path = `${upstream.pathname.replace(/\/$/, '')}${url.pathname}${search ? `?${search}` : ''}`;
    const strip = new Set(route.upstream.tokenHeaders.map((name) => name.toLowerCase()));
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers)) if (!strip.has(name) && value !== undefined) headers[name] = value;
    Object.assign(headers, route.upstream.headers ?? {});
    const send = upstream.protocol === 'https:' ? httpsRequest : httpRequest;
    return this.pipe(request, response, send, { host: upstream.hostname, port: Number(upstream.port || (upstream.protocol === 'https:' ? 443 : 80)), path, servername: upstream.hostname, hostHeader: upstream.host }, headers);
  }

  private pipe(
    request: IncomingMessage,
    response: ServerResponse,
    send: typeof httpRequest,
    target: { host: string; port: number; path: string; servername: string; hostHeader: string },
    requestHeaders: OutgoingHttpHeaders,
  ): Promise<void> {
    const headers: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(requestHeaders)) if (!HOP_HEADERS.has(name) && value !== undefined) headers[name] = value;
    headers.host = target.hostHeader;
    return new Promise((resolve, reject) => {
      const requestOptions: HttpsRequestOptions = { host: target.host, port: target.port, path: target.path, method: request.method, headers, servername: target.servername };
      const outgoing = send(requestOptions, (incoming) => {
        const responseHeaders: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(incoming.headers)) if (!HOP_HEADERS.has(name) && value !== undefined) responseHeaders[name] = value;
        response.writeHead(incoming.statusCode ?? 502, responseHeaders);
        response.flushHeaders();
        incoming.pipe(response);
        incoming.once('end', () => resolve());
        incoming.once('error', reject);
      });
      outgoing.once('error', reject);
      response.once('close', () => outgoing.destroy());
      request.pipe(outgoing);
    });
  }

  private async tunnel(request: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    const match = /^\[?([^\]]+?)\]?:([0-9]{1,5})$/.exec(request.url ?? '');
    const host = match?.[1];
    const port = Number(match?.[2]);
    const deny = (reason: string) => {
      this.logger.info({ sandboxId: this.sandboxId, target: request.url }, `sandbox-local: egress refused (${reason})`);
      client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error: { code: 'HOST_NOT_ALLOWED', message: reason } })}`);
    };
    if (host === undefined || !hostAllowed(this.allowlist, host, port)) return deny(`${request.url ?? ''} is not on this sandbox's network allowlist`);
    const address = await resolveAllowedAddress(host).catch(() => null);
    if (address === null) return deny(`${host} resolves to a local address`);
    const upstream = connect(port, address);
    this.tunnels.add(upstream).add(client);
    const done = () => {
      upstream.destroy();
      client.destroy();
      this.tunnels.delete(upstream);
      this.tunnels.delete(client);
    };
    upstream.once('connect', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once('error', done).once('close', done);
    client.once('error', done).once('close', done);
  }
}
