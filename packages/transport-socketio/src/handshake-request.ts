import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/** What Socket.IO knows about a client when it connects. */
export interface Handshake {
  headers: IncomingMessage['headers'];
  query: Record<string, unknown>;
  auth: Record<string, unknown>;
  address: string;
  url: string;
}

/**
 * The handshake seen as the request an `authenticate` hook expects: headers, query, `ip`,
 * `ws: true` (like the raw WebSocket's upgrade) and the raw `IncomingMessage`. A client's
 * `auth.token` is offered as `query.access_token` when the query has none.
 */
export function handshakeRequest(handshake: Handshake, raw: IncomingMessage): FastifyRequest {
  const query: Record<string, unknown> = { ...handshake.query };
  const token = handshake.auth?.token;
  if (query.access_token === undefined && typeof token === 'string') query.access_token = token;
  const url = new URL(handshake.url, 'http://localhost');
  return {
    headers: handshake.headers,
    query,
    params: {},
    body: undefined,
    ip: handshake.address,
    ips: [handshake.address],
    url: handshake.url,
    originalUrl: handshake.url,
    method: 'GET',
    hostname: url.hostname,
    ws: true,
    raw,
    socket: raw.socket,
  } as unknown as FastifyRequest;
}
