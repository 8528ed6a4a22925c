import { AgentRuntimeError } from './agent-runtime-error.js';

/** A write carried a fencing token older than the session's current one: another node owns the session now. */
export function leaseLostError(sessionId: string, fencingToken: number, currentToken?: number): AgentRuntimeError {
  return new AgentRuntimeError('LEASE_LOST', `Session ${sessionId} is owned by another node now (fencing token ${fencingToken} is stale).`, {
    details: currentToken === undefined ? { sessionId, fencingToken } : { sessionId, fencingToken, currentToken },
  });
}

/** A command routed to a session's owner got no reply within `timeoutMs`. */
export function ownerUnreachableError(sessionId: string, nodeId: string | undefined, timeoutMs: number, cause?: unknown): AgentRuntimeError {
  const who = nodeId === undefined ? 'its owner' : `node ${nodeId}`;
  return new AgentRuntimeError('OWNER_UNREACHABLE', `No reply from ${who} for session ${sessionId} within ${timeoutMs} ms.`, {
    details: nodeId === undefined ? { sessionId, timeoutMs } : { sessionId, nodeId, timeoutMs },
    cause,
  });
}

/** The node that ran this turn died (or lost its lease) before the turn ended; another node took the session over. */
export function nodeLostError(turnId: string, nodeId?: string): AgentRuntimeError {
  return new AgentRuntimeError('NODE_LOST', 'The runtime node running this turn was lost; another node took the session over. Send the message again to retry it.', {
    details: nodeId === undefined ? { turnId } : { turnId, nodeId },
  });
}
