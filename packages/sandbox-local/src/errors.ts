import { AgentRuntimeError } from '@agent-runtime/core';

export function bwrapMissingError(bwrapPath: string | undefined): AgentRuntimeError {
  const where = bwrapPath ? `at "${bwrapPath}"` : 'on PATH or at /usr/bin/bwrap';
  return new AgentRuntimeError(
    'SANDBOX_UNAVAILABLE',
    `bubblewrap (bwrap) was not found ${where}; the local sandbox needs it to isolate agents. ` +
      'Install it with `apt-get install -y bubblewrap` (Debian/Ubuntu) or `dnf install bubblewrap` (Fedora), ' +
      'or pass `bwrapPath`. To run WITHOUT isolation anyway, set `unisolated: true` (not recommended).',
    { details: { provider: 'local', bwrapPath: bwrapPath ?? null } },
  );
}

export function bwrapBrokenError(bwrapPath: string, output: string): AgentRuntimeError {
  return new AgentRuntimeError(
    'SANDBOX_UNAVAILABLE',
    `bubblewrap at "${bwrapPath}" cannot create a sandbox here: ${output.trim().slice(0, 500) || 'no output'}. ` +
      'As non-root it needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) or a setuid bwrap.',
    { details: { provider: 'local', bwrapPath } },
  );
}

export function sandboxTerminatedError(sandboxId: string): AgentRuntimeError {
  return new AgentRuntimeError('SANDBOX_TERMINATED', `Sandbox "${sandboxId}" was terminated.`, {
    details: { provider: 'local', sandboxId },
  });
}

export function sandboxNotFoundError(sandboxId: string): AgentRuntimeError {
  return new AgentRuntimeError('NOT_FOUND', `Sandbox "${sandboxId}" does not exist.`, {
    details: { provider: 'local', sandboxId },
  });
}

/** The one FILE_NOT_FOUND constructor is core's. */
export { fileNotFoundError } from '@agent-runtime/core';

export function invalidInputError(message: string, details?: Record<string, unknown>): AgentRuntimeError {
  return new AgentRuntimeError('INVALID_INPUT', message, details ? { details } : {});
}

export function sandboxError(message: string, cause: unknown): AgentRuntimeError {
  return new AgentRuntimeError('SANDBOX_ERROR', message, { cause, details: { provider: 'local' } });
}

export function fileTooLargeError(path: string, size: number, maxBytes: number): AgentRuntimeError {
  return new AgentRuntimeError('PAYLOAD_TOO_LARGE', `"${path}" is larger than ${maxBytes} bytes (${size}).`, {
    details: { provider: 'local', path, size, maxBytes },
  });
}

/** The workspace holds more than `limits.workspaceMiB` (or a runtime write would take it there). */
export function workspaceLimitError(sandboxId: string, usedBytes: number, capBytes: number, path?: string): AgentRuntimeError {
  const MiB = 1024 * 1024;
  return new AgentRuntimeError(
    'LIMIT_EXCEEDED',
    `The workspace of sandbox "${sandboxId}" would exceed its disk limit (limits.workspaceMiB = ${Math.round((capBytes / MiB) * 100) / 100}; ` +
      `${Math.round((usedBytes / MiB) * 100) / 100} MiB in use); delete files to make room.`,
    { details: { provider: 'local', limit: 'workspaceMiB', sandboxId, usedBytes, capBytes, ...(path !== undefined ? { path } : {}) } },
  );
}
