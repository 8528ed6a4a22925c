/**
 * The `Host` header check against DNS rebinding: a page on `evil.example` whose name is made to
 * resolve to 127.0.0.1 reaches the server with `Host: evil.example`, which no allowlist names.
 */

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

/** The host name of a `Host` header (or an origin's authority), lower-cased, without port or brackets. */
export function hostName(authority: string): string {
  const value = authority.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.lastIndexOf(':');
  // One colon: host:port. More: a bare IPv6 address (no port possible without brackets).
  return colon !== -1 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

function withoutBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Whether a request with this `Host` header may be served. Allowed: loopback names, `*.localhost`,
 * the address the connection arrived on (`localAddress`, e.g. the LAN IP when listening on
 * 0.0.0.0), and the configured names.
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
  return allowedHosts.some((configured) => {
    const allowed = configured.toLowerCase();
    return withoutBrackets(allowed) === name || (allowed.startsWith('*.') && name.endsWith(allowed.slice(1)));
  });
}
