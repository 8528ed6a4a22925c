import { hostname } from 'node:os';
import { AgentRuntimeError } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import type { ModalSandboxProvider } from '@agent-runtime/sandbox-modal';
import { describe, expect, it } from 'vitest';
import { AgentRuntime } from './agent-runtime.js';

const modal = { tokenId: 'id', tokenSecret: 'secret', appName: 'app' };

describe('RuntimeConfig.modal mapping', () => {
  it('tags sandboxes with a deployment per host and dataDir, or the one given', () => {
    const first = new AgentRuntime({ persistence: createMemoryPersistence(), modal, dataDir: '/tmp/a', logLevel: 'error' });
    const second = new AgentRuntime({ persistence: createMemoryPersistence(), modal, dataDir: '/tmp/b', logLevel: 'error' });
    const named = new AgentRuntime({ persistence: createMemoryPersistence(), modal: { ...modal, deployment: 'prod-eu' }, logLevel: 'error' });
    const deployment = (runtime: AgentRuntime) => (runtime.sandbox as ModalSandboxProvider).deployment;
    expect(deployment(first)).toMatch(new RegExp(`^${hostname()}-[0-9a-f]{8}$`));
    expect(deployment(second)).not.toBe(deployment(first));
    expect(deployment(named)).toBe('prod-eu');
  });

  it('validates the Modal sandbox fields, naming the field', () => {
    const error = (() => {
      try {
        new AgentRuntime({ persistence: createMemoryPersistence(), modal: { ...modal, memoryMiB: 1.5 }, logLevel: 'error' });
      } catch (caught) {
        return caught;
      }
    })();
    expect(AgentRuntimeError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
    expect((error as Error).message).toContain('modal.memoryMiB');
    expect(
      () =>
        new AgentRuntime({
          persistence: createMemoryPersistence(),
          modal: { ...modal, cpu: 2, memoryMiB: 4096, cpuLimit: 4, memoryLimitMiB: 8192, defaultTimeoutMs: 3_600_000, modelKeySecret: 'keys', orphanTimeoutMs: 0 },
          logLevel: 'error',
        }),
    ).not.toThrow();
  });
});
