import { AgentRuntimeError } from '@agent-runtime/core';
import type { FastifyRequest } from 'fastify';
import type { Authenticate, AuthorizeSession, Principal, SessionAction } from './options.js';

/** Runs `authenticate`; resolves to the principal or throws UNAUTHORIZED. */
export async function authenticateRequest(authenticate: Authenticate | undefined, request: FastifyRequest): Promise<Principal> {
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
export async function isSessionActionAllowed(
  authorizeSession: AuthorizeSession | undefined,
  principal: Principal,
  sessionId: string,
  action: SessionAction,
): Promise<boolean> {
  if (!authorizeSession) return true;
  try {
    return (await authorizeSession(principal, sessionId, action)) === true;
  } catch {
    return false;
  }
}

/** Runs `authorizeSession`; throws FORBIDDEN when it says no. */
export async function authorize(
  authorizeSession: AuthorizeSession | undefined,
  principal: Principal,
  sessionId: string,
  action: SessionAction,
): Promise<void> {
  if (!(await isSessionActionAllowed(authorizeSession, principal, sessionId, action))) {
    throw new AgentRuntimeError('FORBIDDEN', `Not allowed to ${action} session "${sessionId}".`, { details: { sessionId, action } });
  }
}

export interface BearerTokenAuthenticatorOptions {
  /** Returns the principal for a valid token, or false. */
  verify: (token: string) => Principal | false | Promise<Principal | false>;
  /** Query parameter accepted on the WebSocket upgrade (browsers cannot set headers). Default `access_token`. */
  queryParameter?: string;
}

/**
 * An `authenticate` hook for bearer tokens: `Authorization: Bearer <token>`, or on the WebSocket
 * upgrade also `?access_token=<token>`.
 */
export function bearerTokenAuthenticator(options: BearerTokenAuthenticatorOptions): Authenticate {
  const queryParameter = options.queryParameter ?? 'access_token';
  return async (request) => {
    const header = request.headers.authorization;
    let token: string | undefined;
    if (typeof header === 'string' && header.toLowerCase().startsWith('bearer ')) token = header.slice(7).trim();
    if (!token && request.ws) {
      const query = request.query as Record<string, unknown> | undefined;
      const value = query?.[queryParameter];
      if (typeof value === 'string') token = value;
    }
    if (!token) return false;
    const principal = await options.verify(token);
    return principal === false ? false : { principal };
  };
}
