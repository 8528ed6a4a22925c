import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/** A parsed allowlist entry: `host`, `*.suffix`, either with an optional `:port`. */
interface HostPattern {
  host: string;
  wildcard: boolean;
  port?: number;
}

const PATTERN = /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(?::([0-9]{1,5}))?$/;

/** Parses allowlist entries; throws on a malformed one (the caller validated profiles already). */
export function parseHostPatterns(entries: readonly string[]): HostPattern[] {
  return entries.map((entry) => {
    const match = PATTERN.exec(entry);
    if (!match?.[2]) throw new Error(`Invalid network host "${entry}"`);
    return { host: match[2].toLowerCase(), wildcard: match[1] !== undefined, ...(match[4] ? { port: Number(match[4]) } : {}) };
  });
}

/** True when `host:port` matches an entry (an entry without port allows 443 and 80). */
export function hostAllowed(patterns: readonly HostPattern[], host: string, port: number): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return patterns.some((pattern) => {
    const portOk = pattern.port === undefined ? port === 443 || port === 80 : pattern.port === port;
    const hostOk = pattern.wildcard ? name.endsWith(`.${pattern.host}`) : name === pattern.host;
    return portOk && hostOk;
  });
}

/** True for addresses a sandbox must never reach: loopback, unspecified, link-local (and their v6 forms). */
export function isForbiddenAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) {
    const [a, b] = v4.split('.').map(Number);
    return a === 127 || a === 0 || (a === 169 && b === 254);
  }
  const v6 = address.toLowerCase();
  return v6 === '::1' || v6 === '::' || v6.startsWith('fe80:');
}

/**
 * The address to dial for an allowed host: the host's first address, unless it (or any of them)
 * is loopback/link-local, so that a name that resolves to 127.0.0.1 cannot open the host's
 * loopback. The same holds for IP literals in the allowlist.
 */
export async function resolveAllowedAddress(host: string): Promise<string> {
  if (isIP(host) !== 0) {
    if (isForbiddenAddress(host)) throw new Error(`${host} is a local address`);
    return host;
  }
  const addresses = await lookup(host, { all: true });
  if (addresses.length === 0 || addresses.some((entry) => isForbiddenAddress(entry.address))) {
    throw new Error(`${host} resolves to a local address`);
  }
  return (addresses[0] as { address: string }).address;
}
