import {
  AgentRuntimeError,
  answerPermissionRequestSchema,
  answerQuestionRequestSchema,
  type AnswerRequestResponse,
  type SessionEngine,
} from '@agent-runtime/core';
import { authorize } from '../auth.js';
import type { AuthorizeSession, Principal } from '../options.js';
import { checkSessionId, parseBody } from './validate.js';

const REQUEST_ID_PATTERN = /^[\w.:@-]{1,200}$/;

/**
 * Who answered, as the resolution's `by` names it: a string principal itself, else its `id`,
 * `sub` or `name`; `user` without authentication.
 */
export function answeredBy(principal: Principal): string {
  if (typeof principal === 'string' && principal.length > 0) return principal.slice(0, 200);
  if (principal && typeof principal === 'object') {
    for (const key of ['id', 'sub', 'name']) {
      const value = (principal as Record<string, unknown>)[key];
      if ((typeof value === 'string' && value.length > 0) || typeof value === 'number') return String(value).slice(0, 200);
    }
  }
  return 'user';
}

export interface AnswerRequestOptions {
  engine: SessionEngine;
  authorizeSession: AuthorizeSession | undefined;
}

/**
 * Answer a permission request or a question for REST and both socket transports: the ids and
 * the body checked (INVALID_INPUT), `authorizeSession` asked for `answer` (FORBIDDEN), then the
 * engine (SESSION_NOT_FOUND, REQUEST_NOT_FOUND; a second answer gets the first back).
 */
export async function answerRequest(
  options: AnswerRequestOptions,
  principal: Principal,
  kind: 'permission' | 'question',
  sessionIdValue: unknown,
  requestIdValue: unknown,
  body: unknown,
): Promise<AnswerRequestResponse> {
  const sessionId = checkSessionId(sessionIdValue);
  if (typeof requestIdValue !== 'string' || !REQUEST_ID_PATTERN.test(requestIdValue)) {
    throw new AgentRuntimeError('INVALID_INPUT', 'requestId: expected 1-200 characters of letters, digits, _ . : @ -', { details: { field: 'requestId' } });
  }
  await authorize(options.authorizeSession, principal, sessionId, 'answer');
  const { engine } = options;
  const by = answeredBy(principal);
  if (kind === 'permission') {
    const answer = parseBody(answerPermissionRequestSchema, body);
    if (!engine.answerPermission) throw new AgentRuntimeError('UNSUPPORTED_OPERATION', 'This engine does not take answers to permission requests.');
    return engine.answerPermission(sessionId, requestIdValue, answer, by);
  }
  const answer = parseBody(answerQuestionRequestSchema, body);
  if (!engine.answerQuestion) throw new AgentRuntimeError('UNSUPPORTED_OPERATION', 'This engine does not take answers to questions.');
  return engine.answerQuestion(sessionId, requestIdValue, answer, by);
}
