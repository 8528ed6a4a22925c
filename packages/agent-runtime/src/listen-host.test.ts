import { describe, expect, it } from 'vitest';
import { hasErrorCode, type Logger } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';
import { AgentRuntime, type AgentRuntimeOptions } from './agent-runtime.js';

function options(extra: Partial<AgentRuntimeOptions> = {}): AgentRuntimeOptions {
  return {
    persistence: createMemoryPersistence({ profiles: [{ id: 'p', name: 'P' }] }),
    sandbox: createFakeSandboxProvider(),
    architectures: [createScriptedArchitecture(async function* () {})],
    websocketPort: 0,
    logLevel: 'error',
    ...extra,
  };
}

function recordingLogger(): Logger & { warnings: { object: Record<string, unknown>; message: string | undefined }[] } {
  const warnings: { object: Record<string, unknown>; message: string | undefined }[] = [];
  return { debug() {}, info() {}, error() {}, warn: (object, message) => warnings.push({ object, message }), warnings };
}

describe('where the runtime listens', () => {
  it('without authenticate: 127.0.0.1 by default', async () => {
    const runtime = new AgentRuntime(options());
    expect(runtime.host).toBe('127.0.0.1');
    await runtime.start();
    try {
      expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await runtime.stop();
    }
  });

  it('refuses another interface without authenticate unless allowUnauthenticatedRemote, which is logged', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      let error: unknown;
      try {
        new AgentRuntime(options({ host }));
      } catch (caught) {
        error = caught;
      }
      expect(hasErrorCode(error, 'INVALID_CONFIG'), host).toBe(true);
      expect((error as Error).message).toContain('allowUnauthenticatedRemote');
    }
    const logger = recordingLogger();
    const runtime = new AgentRuntime(options({ host: '0.0.0.0', allowUnauthenticatedRemote: true, logger }));
    await runtime.start();
    try {
      expect(logger.warnings.some((warning) => warning.object.host === '0.0.0.0' && /WITHOUT authentication/.test(warning.message ?? ''))).toBe(true);
    } finally {
      await runtime.stop();
    }
  });

  it('with authenticate: 0.0.0.0 by default, no warning', () => {
    const runtime = new AgentRuntime(options({ server: { authenticate: () => ({ principal: 'me' }) } }));
    expect(runtime.host).toBe('0.0.0.0');
    expect(new AgentRuntime(options({ host: '127.0.0.2' })).host).toBe('127.0.0.2');
  });
});
