import { describe, expect, it } from 'vitest';
import { hostAllowed, isForbiddenAddress, parseHostPatterns, resolveAllowedAddress } from './host-allowlist.js';

describe('host allowlist', () => {
  const patterns = parseHostPatterns(['registry.npmjs.org', '*.pythonhosted.org', 'git.example.com:8443']);

  it('matches exact names, subdomain wildcards and ports (443/80 when none is given)', () => {
    expect(hostAllowed(patterns, 'registry.npmjs.org', 443)).toBe(true);
    expect(hostAllowed(patterns, 'REGISTRY.npmjs.org.', 80)).toBe(true);
    expect(hostAllowed(patterns, 'registry.npmjs.org', 22)).toBe(false);
    expect(hostAllowed(patterns, 'evil-registry.npmjs.org', 443)).toBe(false);
    expect(hostAllowed(patterns, 'files.pythonhosted.org', 443)).toBe(true);
    expect(hostAllowed(patterns, 'pythonhosted.org', 443)).toBe(false);
    expect(hostAllowed(patterns, 'git.example.com', 8443)).toBe(true);
    expect(hostAllowed(patterns, 'git.example.com', 443)).toBe(false);
    expect(hostAllowed(parseHostPatterns([]), 'registry.npmjs.org', 443)).toBe(false);
  });

  it('refuses malformed entries', () => {
    for (const entry of ['', 'a b', 'http://x.org', 'x.org/path', '*', '*.']) expect(() => parseHostPatterns([entry]), entry).toThrow();
  });

  it('never dials loopback, unspecified or link-local addresses, even when allowlisted by name or literal', async () => {
    for (const address of ['127.0.0.1', '127.8.9.1', '0.0.0.0', '169.254.169.254', '::1', '::', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isForbiddenAddress(address), address).toBe(true);
    }
    for (const address of ['10.0.0.1', '93.184.216.34', '2606:4700::1']) expect(isForbiddenAddress(address), address).toBe(false);
    await expect(resolveAllowedAddress('localhost')).rejects.toThrow(/local address/);
    await expect(resolveAllowedAddress('127.0.0.1')).rejects.toThrow(/local address/);
    await expect(resolveAllowedAddress('169.254.169.254')).rejects.toThrow(/local address/);
    await expect(resolveAllowedAddress('93.184.216.34')).resolves.toBe('93.184.216.34');
  });
});
