import { AgentRuntimeError } from './agent-runtime-error.js';

/** Named constructors for the errors raised most often. */

export function sessionNotFoundError(sessionId: string): AgentRuntimeError {
  return new AgentRuntimeError('SESSION_NOT_FOUND', `Session "${sessionId}" does not exist.`, { details: { sessionId } });
}

export function profileNotFoundError(agentProfileId: string): AgentRuntimeError {
  return new AgentRuntimeError('PROFILE_NOT_FOUND', `Agent profile "${agentProfileId}" does not exist.`, {
    details: { agentProfileId },
  });
}

export function sessionTerminatedError(sessionId: string): AgentRuntimeError {
  return new AgentRuntimeError('SESSION_TERMINATED', `Session "${sessionId}" was terminated; create a new session.`, {
    details: { sessionId },
  });
}

export function pathRefusedError(path: string, reason: string): AgentRuntimeError {
  return new AgentRuntimeError('PATH_REFUSED', `Path "${path.slice(0, 200)}" refused: ${reason}.`, { details: { path: path.slice(0, 200), reason } });
}

export function unsupportedOperationError(provider: string, operation: string): AgentRuntimeError {
  return new AgentRuntimeError('UNSUPPORTED_OPERATION', `${provider} does not support ${operation}().`, {
    details: { provider, operation },
  });
}

/** One validation problem, as zod reports it. */
export interface InputIssue {
  path: readonly PropertyKey[];
  message: string;
}

/**
 * `INVALID_INPUT` naming the first bad field (`content: Too small...`), with up to ten issues in
 * `details.issues`. `fallbackField` names input whose root itself is wrong.
 */
export function invalidInputError(issues: readonly InputIssue[], fallbackField = 'body'): AgentRuntimeError {
  const listed = issues.slice(0, 10).map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : fallbackField,
    message: issue.message,
  }));
  const first = listed[0] ?? { field: fallbackField, message: 'invalid' };
  return new AgentRuntimeError('INVALID_INPUT', `${first.field}: ${first.message}`, {
    details: { field: first.field, issues: listed },
  });
}

export function fileNotFoundError(path: string, details: Record<string, unknown> = {}): AgentRuntimeError {
  return new AgentRuntimeError('FILE_NOT_FOUND', `File "${path.slice(0, 200)}" does not exist.`, {
    details: { ...details, path: path.slice(0, 200) },
  });
}

export function sessionBusyError(message: string, details: Record<string, unknown> = {}): AgentRuntimeError {
  return new AgentRuntimeError('SESSION_BUSY', message, { details });
}

/** A session already holds `limit` accepted messages that have not run yet (HTTP 429). */
export function tooManyQueuedMessagesError(sessionId: string, limit: number): AgentRuntimeError {
  return new AgentRuntimeError(
    'TOO_MANY_QUEUED_MESSAGES',
    `Session "${sessionId}" already has ${limit} messages waiting; retry once a turn has ended.`,
    { details: { sessionId, limit } },
  );
}

/** The runtime stopped (crash, kill) while this turn ran; it was ended after the restart. */
export function runtimeRestartedError(turnId: string): AgentRuntimeError {
  return new AgentRuntimeError('RUNTIME_RESTARTED', 'The runtime restarted while this turn was running; send the message again to retry it.', {
    details: { turnId },
  });
}

export function unsupportedArchitectureError(architecture: string, available: readonly string[]): AgentRuntimeError {
  return new AgentRuntimeError('UNSUPPORTED_ARCHITECTURE', `This runtime does not run "${architecture}" agents.`, {
    details: { architecture, available: [...available] },
  });
}

export function agentError(message: string, cause?: unknown): AgentRuntimeError {
  return new AgentRuntimeError('AGENT_ERROR', message, cause === undefined ? {} : { cause });
}
