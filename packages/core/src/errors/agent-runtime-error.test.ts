import { describe, expect, it } from 'vitest';
import { AgentRuntimeError, hasErrorCode } from './agent-runtime-error.js';
import { sessionNotFoundError } from './errors.js';

describe('AgentRuntimeError', () => {
  it('is recognised by marker, not by prototype', () => {
    const error = sessionNotFoundError('s1');
    expect(AgentRuntimeError.isInstance(error)).toBe(true);
    expect(AgentRuntimeError.isInstance(new Error('x'))).toBe(false);
    expect(AgentRuntimeError.isInstance({ code: 'SESSION_NOT_FOUND' })).toBe(false);
    expect(hasErrorCode(error, 'SESSION_NOT_FOUND')).toBe(true);
  });

  it('serialises code, message and details', () => {
    expect(JSON.parse(JSON.stringify(sessionNotFoundError('s1')))).toEqual({
      code: 'SESSION_NOT_FOUND',
      message: 'Session "s1" does not exist.',
      details: { sessionId: 's1' },
    });
  });
});
