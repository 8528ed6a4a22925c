import { describe, expect, it } from 'vitest';
import { hostName, isHostAllowed } from './host-check.js';
import { isOriginAllowed } from './origin-check.js';

describe('isHostAllowed', () => {
  it('parses host names with ports and IPv6 brackets', () => {
    expect(hostName('Example.COM:3003')).toBe('example.com');
    expect(hostName('[::1]:3003')).toBe('::1');
    expect(hostName('::1')).toBe('::1');
  });

  it('allows loopback names, *.localhost, the local address and configured names only', () => {
    for (const host of ['localhost', 'localhost:1', '127.0.0.1:9', '[::1]:9', 'ui.localhost:5173']) expect(isHostAllowed(host, '127.0.0.1', []), host).toBe(true);
    expect(isHostAllowed('192.168.1.20:3003', '::ffff:192.168.1.20', [])).toBe(true);
    expect(isHostAllowed('192.168.1.21:3003', '192.168.1.20', [])).toBe(false);
    expect(isHostAllowed('evil.example', '127.0.0.1', [])).toBe(false);
    expect(isHostAllowed('localhost.evil.example', '127.0.0.1', [])).toBe(false);
    expect(isHostAllowed(undefined, '127.0.0.1', [])).toBe(false);
    expect(isHostAllowed('api.example:443', undefined, ['api.example'])).toBe(true);
    expect(isHostAllowed('a.apps.example', undefined, ['*.apps.example'])).toBe(true);
    expect(isHostAllowed('apps.example.evil', undefined, ['*.apps.example'])).toBe(false);
    expect(isHostAllowed('anything', undefined, 'any')).toBe(true);
  });
});

describe('isOriginAllowed', () => {
  it('allows no Origin, the same origin, listed origins and those cors allows', () => {
    expect(isOriginAllowed(undefined, 'localhost:3003', [], undefined)).toBe(true);
    expect(isOriginAllowed('http://localhost:3003', 'localhost:3003', [], undefined)).toBe(true);
    expect(isOriginAllowed('http://localhost:5173', 'localhost:3003', [], undefined)).toBe(false);
    expect(isOriginAllowed('https://app.example', 'localhost:3003', ['https://app.example'], undefined)).toBe(true);
    expect(isOriginAllowed('https://app.example', 'localhost:3003', [], { origin: /^https:\/\/app\./ })).toBe(true);
    expect(isOriginAllowed('https://evil.example', 'localhost:3003', [], { origin: ['https://app.example'] })).toBe(false);
    expect(isOriginAllowed('null', 'localhost:3003', [], undefined)).toBe(false);
    expect(isOriginAllowed('not a url', 'localhost:3003', [], undefined)).toBe(false);
    expect(isOriginAllowed('https://evil.example', 'localhost:3003', 'any', undefined)).toBe(true);
  });

  it('matches configured hosts and origins case-insensitively (as the Socket.IO transport did)', () => {
    expect(isHostAllowed('api.example.com', undefined, ['*.Example.COM'])).toBe(true);
    expect(isHostAllowed('API.example.com:443', undefined, ['Api.Example.com'])).toBe(true);
    expect(isOriginAllowed('https://ui.example.com', 'api.example.com', ['https://UI.Example.com'], undefined)).toBe(true);
  });
});
