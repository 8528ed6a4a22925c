import type { IncomingMessage } from 'node:http';
import { isHostAllowed, isOriginAllowed, type CorsOptions } from '@agent-runtime/transport-fastify';

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Why an Engine.IO request (polling or upgrade) is refused, or undefined when it may go on: the
 * raw WebSocket's `Host` check (DNS rebinding) and `Origin` check (cross-site hijacking), shared
 * with transport-fastify.
 */
export function refusal(
  request: IncomingMessage,
  options: { allowedHosts: string[] | 'any'; allowedOrigins: string[] | 'any'; cors: CorsOptions | undefined },
): string | undefined {
  const host = header(request, 'host');
  if (!isHostAllowed(host, request.socket?.localAddress, options.allowedHosts)) return `Host "${String(host ?? '').slice(0, 100)}" is not served here.`;
  if (!isOriginAllowed(header(request, 'origin'), host, options.allowedOrigins, options.cors)) {
    return `Origin "${String(header(request, 'origin')).slice(0, 100)}" is not allowed.`;
  }
  return undefined;
}
