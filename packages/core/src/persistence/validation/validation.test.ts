import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../errors/index.js';
import { checkSubagentId, parseAgentProfile, parseSessionRecord, parseSessionUpdate, storedWorkspacePath } from './index.js';

const thrown = (run: () => unknown): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
};

describe('adapter input validation', () => {
  it('parseSessionRecord names the bad field', () => {
    const error = thrown(() => parseSessionRecord({ sessionId: 's', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'sleeping' as never }));
    expect(hasErrorCode(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toContain('status');
  });

  it('parseSessionUpdate drops sessionId and undefined fields', () => {
    expect(parseSessionUpdate({ sessionId: 'other', name: undefined, status: 'active' })).toEqual({ status: 'active' });
  });

  it('checkSubagentId refuses the empty id only', () => {
    expect(() => checkSubagentId(undefined)).not.toThrow();
    expect(() => checkSubagentId('agent-1')).not.toThrow();
    expect(hasErrorCode(thrown(() => checkSubagentId('')), 'INVALID_INPUT')).toBe(true);
  });

  it('storedWorkspacePath normalises and refuses traversal', () => {
    expect(storedWorkspacePath('./a//b')).toBe('a/b');
    expect(hasErrorCode(thrown(() => storedWorkspacePath('../etc/passwd')), 'PATH_REFUSED')).toBe(true);
  });

  it('parseAgentProfile names the source, the profile and the field', () => {
    const error = thrown(() => parseAgentProfile({ id: 'p', name: '' }, 'p.json'));
    expect((error as Error).message).toMatch(/p\.json, profile "p".*name/);
  });
});
