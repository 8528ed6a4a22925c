import type { IncomingMessage } from 'node:http';
import type { CorsOptions } from '@agent-runtime/transport-fastify';

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** The host name of a `Host` header (or an origin's authority), lower-cased, without port or brackets. */
export function hostName(authority: string): string {
  const value = authority.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.lastIndexOf(':');
  return colon !== -1 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

/**
 * Against DNS rebinding: loopback names, `*.localhost`, the address the connection arrived on and
 * the configured names (`*.example.com` wildcards) are served; any other `Host` is refused.
 */
export function isHostAllowed(hostHeader: string | undefined, localAddress: string | undefined, allowedHosts: string[] | 'any'): boolean {
  if (allowedHosts === 'any') return true;
  if (!hostHeader) return false;
  const name = hostName(hostHeader);
  if (name.length === 0) return false;
  if (LOCAL_NAMES.has(name) || name.endsWith('.localhost')) return true;
  if (localAddress) {
    const local = localAddress.toLowerCase().replace(/^::ffff:/, '');
    if (name === local || name === `::ffff:${local}`) return true;
  }
  const bare = (host: string) => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host).toLowerCase();
  return allowedHosts.some((allowed) => bare(allowed) === name || (allowed.startsWith('*.') && name.endsWith(allowed.slice(1).toLowerCase())));
}

function corsAllows(cors: CorsOptions | undefined, origin: string): boolean {
  if (!cors) return false;
  const matches = (rule: string | RegExp) => (typeof rule === 'string' ? rule.toLowerCase() === origin : rule.test(origin));
  const rule = cors.origin;
  if (typeof rule === 'function') return rule(origin) === true;
  if (typeof rule === 'boolean') return rule;
  if (Array.isArray(rule)) return rule.some(matches);
  return matches(rule);
}

/**
 * Against cross-site WebSocket hijacking: no `Origin` (not a browser) and same-origin pages
 * always may connect; other pages only when `allowedOrigins` or `cors` allows their origin.
 */
export function isOriginAllowed(
  originHeader: string | undefined,
  hostHeader: string | undefined,
  allowedOrigins: string[] | 'any',
  cors: CorsOptions | undefined,
): boolean {
  if (allowedOrigins === 'any' || originHeader === undefined) return true;
  const origin = originHeader.trim().toLowerCase();
  if (origin === 'null') return allowedOrigins.includes('null');
  let authority: string;
  try {
    authority = new URL(origin).host;
  } catch {
    return false;
  }
  if (hostHeader !== undefined && authority === hostHeader.trim().toLowerCase()) return true;
  return allowedOrigins.map((allowed) => allowed.toLowerCase()).includes(origin) || corsAllows(cors, origin);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Why an Engine.IO request (polling or upgrade) is refused, or undefined when it may go on. */
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
