import { AgentRuntimeError } from '@agent-runtime/core';

/** Loopback interfaces: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '');
  return name === 'localhost' || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name) || name === '::ffff:127.0.0.1';
}

/**
 * The interface to listen on. Without an authentication hook: 127.0.0.1 by default, and another
 * interface only with `allowUnauthenticatedRemote` (else `INVALID_CONFIG`). With one: 0.0.0.0.
 */
export function resolveListenHost(host: string | undefined, authenticated: boolean, allowUnauthenticatedRemote: boolean): string {
  const chosen = host ?? (authenticated ? '0.0.0.0' : '127.0.0.1');
  if (!authenticated && !isLoopbackHost(chosen) && !allowUnauthenticatedRemote) {
    throw new AgentRuntimeError(
      'INVALID_CONFIG',
      `RuntimeConfig.host: listening on "${chosen}" without server.authenticate would let anyone who reaches the port read and drive every session; ` +
        'add server.authenticate, listen on 127.0.0.1, or set allowUnauthenticatedRemote: true to accept the risk.',
      { details: { field: 'host' } },
    );
  }
  return chosen;
}
