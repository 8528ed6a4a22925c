import { describe, expect, it } from 'vitest';
import { resolveSocketIoOptions } from './options.js';

describe('resolveSocketIoOptions', () => {
  it('has safe defaults', () => {
    expect(resolveSocketIoOptions()).toMatchObject({
      path: '/socket.io',
      allowedHosts: [],
      allowedOrigins: [],
      maxBufferedPackets: 10_000,
      maxMessageBytes: 64 * 1024,
    });
  });

  it.each([
    [{ path: '/' }, 'path'],
    [{ path: 'socket.io' }, 'path'],
    [{ path: '/socket.io/' }, 'path'],
    [{ authenticate: 'yes' }, 'authenticate'],
    [{ authorizeSession: 1 }, 'authorizeSession'],
    [{ engine: {} }, 'engine'],
    [{ allowedHosts: [''] }, 'allowedHosts'],
    [{ allowedOrigins: 'all' }, 'allowedOrigins'],
    [{ maxReplayEvents: 0 }, 'maxReplayEvents'],
    [{ maxBufferedPackets: 1.5 }, 'maxBufferedPackets'],
    [{ maxMessageBytes: -1 }, 'maxMessageBytes'],
  ])('refuses %j with INVALID_CONFIG naming %s', (options, field) => {
    expect(() => resolveSocketIoOptions(options as never)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', details: { field } }));
  });
});
