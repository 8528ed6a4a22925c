import { AgentRuntimeError, type ErrorCode } from '@agent-runtime/core';
import { expect } from 'vitest';

/**
 * Asserts that `promise` rejects with an `AgentRuntimeError` carrying `code` (the error's message
 * is shown when the code differs). Shared by the persistence and sandbox contract suites.
 */
export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error, `expected a rejection with code ${code}`).toBeDefined();
  expect(AgentRuntimeError.isInstance(error), `expected an AgentRuntimeError, got ${String(error)}`).toBe(true);
  expect((error as AgentRuntimeError).code, String((error as Error).message)).toBe(code);
}
