import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '@agent-runtime/core';
import { maxWarmProcessesFor, validateRuntimeConfig } from './validate-config.js';

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

  it('warmPool is off by default; sandboxes applies to each architecture, perArchitecture overrides; bad values are named', () => {
    expect(validateRuntimeConfig({ persistence: adapter })).toMatchObject({ warmPoolSizes: {}, warmPoolAgentProcess: true, maxWarmProcesses: undefined });
    expect(validateRuntimeConfig({ persistence: adapter, warmPool: { sandboxes: 2, perArchitecture: { 'gemini-cli': 0 } } }).warmPoolSizes).toEqual({ 'claude-agent-sdk': 2 });
    expect(validateRuntimeConfig({ persistence: adapter, warmPool: { perArchitecture: { 'gemini-cli': 1 }, agentProcess: false } })).toMatchObject({
      warmPoolSizes: { 'gemini-cli': 1 },
      warmPoolAgentProcess: false,
    });
    expect((errorOf(() => validateRuntimeConfig({ persistence: adapter, warmPool: { sandboxes: -1 } })) as Error).message).toMatch(/^RuntimeConfig\.warmPool\.sandboxes:/);
    expect((errorOf(() => validateRuntimeConfig({ persistence: adapter, warmPool: { size: 1 } as never })) as Error).message).toMatch(/^RuntimeConfig\.warmPool:/);
  });

  it('maxWarmProcesses: one number for every architecture, or one per architecture', () => {
    const all = validateRuntimeConfig({ persistence: adapter, maxWarmProcesses: 8 });
    expect([maxWarmProcessesFor(all, 'claude-agent-sdk'), maxWarmProcessesFor(all, 'gemini-cli')]).toEqual([8, 8]);
    const claudeOnly = validateRuntimeConfig({ persistence: adapter, maxWarmProcesses: { 'claude-agent-sdk': 3 } });
    expect([maxWarmProcessesFor(claudeOnly, 'claude-agent-sdk'), maxWarmProcessesFor(claudeOnly, 'gemini-cli')]).toEqual([3, undefined]);
    expect((errorOf(() => validateRuntimeConfig({ persistence: adapter, maxWarmProcesses: 0 })) as Error).message).toMatch(/^RuntimeConfig\.maxWarmProcesses/);
  });
});
