import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '@agent-runtime/core';
import { validateRuntimeConfig } from './validate-config.js';

const adapter = Object.fromEntries(
  [
    'listAllSessions', 'loadSession', 'createSessionRecord', 'updateSessionRecord', 'saveTranscript',
    'saveWorkspaceFile', 'deleteSessionFile', 'listAgentProfiles', 'loadAgentProfile',
  ].map((name) => [name, async () => null]),
) as never;

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('validateRuntimeConfig', () => {
  it('applies the documented defaults', () => {
    const config = validateRuntimeConfig({ persistence: adapter });
    expect(config).toMatchObject({ idleTimeoutMs: 900_000, syncIntervalMs: 30_000, websocketPort: 3003, logLevel: 'info' });
  });

  it('refuses a missing adapter with INVALID_CONFIG naming the field', () => {
    const error = errorOf(() => validateRuntimeConfig({} as never));
    expect(hasErrorCode(error, 'INVALID_CONFIG')).toBe(true);
    expect((error as Error).message).toContain('persistence');
  });

  it('names the methods an adapter lacks', () => {
    const error = errorOf(() => validateRuntimeConfig({ persistence: { listAllSessions: async () => [] } } as never));
    expect((error as Error).message).toContain('loadSession()');
  });

  it('names a malformed field', () => {
    const error = errorOf(() => validateRuntimeConfig({ persistence: adapter, idleTimeoutMs: -5 }));
    expect((error as Error).message).toMatch(/^RuntimeConfig\.idleTimeoutMs:/);
    const modal = errorOf(() =>
      validateRuntimeConfig({ persistence: adapter, modal: { tokenId: '', tokenSecret: 'x', appName: 'a' } }),
    );
    expect((modal as Error).message).toContain('modal.tokenId');
  });
});
