import { AgentRuntimeError } from '@agent-runtime/core';
import type { Authenticate, AuthorizeSession, Principal } from '@agent-runtime/transport-fastify';
import type { FastifyRequest } from 'fastify';

/** Runs `authenticate` as the raw WebSocket does: resolves to the principal or throws UNAUTHORIZED. */
export async function authenticateHandshake(authenticate: Authenticate | undefined, request: FastifyRequest): Promise<Principal> {
  if (!authenticate) return undefined;
  let result: Awaited<ReturnType<Authenticate>>;
  try {
    result = await authenticate(request);
  } catch (error) {
    if (AgentRuntimeError.isInstance(error)) throw error;
    throw new AgentRuntimeError('UNAUTHORIZED', 'Authentication failed.', { cause: error });
  }
  if (!result) throw new AgentRuntimeError('UNAUTHORIZED', 'Authentication required.');
  return result.principal;
}

/** True when `authorizeSession` (if any) allows `action`; a throwing hook counts as no. */
export async function isAllowed(
  authorizeSession: AuthorizeSession | undefined,
  principal: Principal,
  sessionId: string,
  action: 'join' | 'read',
): Promise<boolean> {
  if (!authorizeSession) return true;
  try {
    return (await authorizeSession(principal, sessionId, action)) === true;
  } catch {
    return false;
  }
}
