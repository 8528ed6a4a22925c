import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { describe, expect, it } from 'vitest';
import { AgentRuntime } from '../agent-runtime.js';
import { resolveClusterSettings } from './cluster-settings.js';

describe('cluster settings', () => {
  const environment = { DATABASE_URL: 'postgres://db/x', NATS_URL: 'nats://n:4222' };

  it('one node without config, or with only one of DATABASE_URL / NATS_URL, or with cluster: false', () => {
    expect(resolveClusterSettings(undefined, {})).toBeUndefined();
    expect(resolveClusterSettings(undefined, { DATABASE_URL: 'postgres://db/x' })).toBeUndefined();
    expect(resolveClusterSettings(undefined, { NATS_URL: 'nats://n:4222' })).toBeUndefined();
    expect(resolveClusterSettings(false, environment)).toBeUndefined();
  });

  it('on with both variables; defaults applied; a fresh node id per start', () => {
    const first = resolveClusterSettings(undefined, environment)!;
    expect(first).toMatchObject({ databaseUrl: 'postgres://db/x', natsUrl: 'nats://n:4222', deploymentId: 'default', leaseTtlMs: 15_000, drainTimeoutMs: 30_000 });
    expect(first.nodeId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(resolveClusterSettings(undefined, environment)!.nodeId).not.toBe(first.nodeId);
    expect(resolveClusterSettings({ databaseUrl: 'postgres://other', natsUrl: 'nats://o', nodeId: 'n1', leaseTtlMs: 3000 }, environment)).toMatchObject({ databaseUrl: 'postgres://other', nodeId: 'n1', leaseTtlMs: 3000 });
  });

  it('refuses bad fields with INVALID_CONFIG naming them, and an adapter without a shared turn queue', () => {
    const persistence = createMemoryPersistence();
    const attempt = (cluster: unknown) => {
      try {
        new AgentRuntime({ persistence, cluster: cluster as never, logLevel: 'error' });
        return undefined;
      } catch (error) {
        return error as { code: string; details: { field?: string } };
      }
    };
    expect(attempt({ databaseUrl: 'postgres://x', natsUrl: 'nats://y', nodeId: 'a.b' })).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'cluster.nodeId' } });
    expect(attempt({ databaseUrl: 'postgres://x', natsUrl: 'nats://y', leaseTtlMs: 5 })).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'cluster.leaseTtlMs' } });
    expect(attempt({ databaseUrl: 'postgres://x', natsUrl: 'nats://y' })).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'persistence' } });
    expect(attempt(false)).toBeUndefined();
  });
});
