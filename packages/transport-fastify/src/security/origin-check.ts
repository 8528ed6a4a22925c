import type { CorsOptions } from '../options.js';

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
 * Whether a browser request from `origin` may open the WebSocket or change state. No `Origin`
 * (a non-browser client) and same-origin (the origin's host is the request's `Host`) always may;
 * otherwise the origin must be in `allowedOrigins` or allowed by `cors`.
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
  return allowedOrigins.some((allowed) => allowed.toLowerCase() === origin) || corsAllows(cors, origin);
}
