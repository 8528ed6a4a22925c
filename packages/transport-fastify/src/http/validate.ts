import { AgentRuntimeError, invalidInputError, pathRefusedError, workspacePathProblem } from '@agent-runtime/core';
import type { z } from 'zod';

/** Parses `value` with `schema`, or throws INVALID_INPUT naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.output<S> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentRuntimeError('INVALID_INPUT', `${what}: expected a JSON object.`, { details: { field: what } });
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw invalidInputError(result.error.issues, what);
}

const SESSION_ID_PATTERN = /^[\w.:@-]{1,200}$/;

/** Session ids in URLs: 1-200 characters of `[A-Za-z0-9_.:@-]`. */
export function checkSessionId(sessionId: unknown): string {
  if (typeof sessionId !== 'string' || !SESSION_ID_PATTERN.test(sessionId)) {
    throw new AgentRuntimeError('INVALID_INPUT', 'sessionId: expected 1-200 characters of letters, digits, _ . : @ -', {
      details: { field: 'sessionId' },
    });
  }
  return sessionId;
}

/** A workspace path from a URL: relative, no `..`, no NUL, no backslash, else PATH_REFUSED. */
export function checkWorkspacePath(path: unknown): string {
  if (typeof path !== 'string') throw pathRefusedError('', 'path is missing');
  const problem = workspacePathProblem(path);
  if (problem) {
    const error = pathRefusedError(path, problem);
    throw new AgentRuntimeError('PATH_REFUSED', error.message, { details: { ...error.details, field: 'path' } });
  }
  return path;
}
