import { AgentRuntimeError } from '@agent-runtime/core';

const details = (extra: Record<string, unknown> = {}) => ({ provider: 'modal', ...extra });

export function invalidConfigError(message: string): AgentRuntimeError {
  return new AgentRuntimeError('INVALID_CONFIG', message, { details: details() });
}

export function invalidInputError(message: string, extra?: Record<string, unknown>): AgentRuntimeError {
  return new AgentRuntimeError('INVALID_INPUT', message, { details: details(extra) });
}

export function sandboxTerminatedError(sandboxId: string, cause?: unknown): AgentRuntimeError {
  return new AgentRuntimeError('SANDBOX_TERMINATED', `Modal sandbox "${sandboxId}" has stopped.`, {
    cause,
    details: details({ sandboxId }),
  });
}

export function sandboxNotFoundError(sandboxId: string, cause?: unknown): AgentRuntimeError {
  return new AgentRuntimeError('NOT_FOUND', `Modal sandbox "${sandboxId}" does not exist or was not made by agent-runtime.`, {
    cause,
    details: details({ sandboxId }),
  });
}

/** The one FILE_NOT_FOUND constructor is core's. */
export { fileNotFoundError } from '@agent-runtime/core';

/** gRPC status codes the SDK's `ClientError` carries. */
const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

function grpcCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** True for the SDK's "no such sandbox / process" failures (`NotFoundError`, gRPC NOT_FOUND). */
export function isNotFound(error: unknown): boolean {
  return (error as Error | null)?.name === 'NotFoundError' || grpcCode(error) === GRPC_NOT_FOUND;
}

/**
 * A coded error for an SDK failure: `SANDBOX_UNAVAILABLE` when Modal refuses the credentials,
 * `SANDBOX_TERMINATED` when the sandbox is known to have stopped, `SANDBOX_ERROR` otherwise.
 */
export function mapModalError(error: unknown, action: string, context: { sandboxId?: string; stopped?: boolean } = {}): AgentRuntimeError {
  if (AgentRuntimeError.isInstance(error)) return error;
  const code = grpcCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === GRPC_UNAUTHENTICATED || code === GRPC_PERMISSION_DENIED) {
    return new AgentRuntimeError(
      'SANDBOX_UNAVAILABLE',
      `Modal refused the credentials while trying to ${action}: ${message}. Check MODAL_TOKEN_ID / MODAL_TOKEN_SECRET (or modal.tokenId / modal.tokenSecret).`,
      { cause: error, details: details({ action }) },
    );
  }
  if (context.stopped && context.sandboxId !== undefined) return sandboxTerminatedError(context.sandboxId, error);
  return new AgentRuntimeError('SANDBOX_ERROR', `Modal failed to ${action}: ${message}`, {
    cause: error,
    details: details({ action, ...(context.sandboxId === undefined ? {} : { sandboxId: context.sandboxId }) }),
  });
}
