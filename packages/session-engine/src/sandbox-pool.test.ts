import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { noopLogger, type AgentProfile } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture, type FakeSandbox } from '@agent-runtime/testkit';
import { systemClock } from './clock.js';
import { SandboxPool } from './sandbox-pool.js';
import { SessionManager } from './session-manager.js';

const claude = createScriptedArchitecture(() => [], 'claude-agent-sdk');
const gemini = createScriptedArchitecture(() => [], 'gemini-cli');

function pool(sizes: Record<string, number>, provider = createFakeSandboxProvider()) {
  const subject = new SandboxPool({
    provider,
    architectures: [claude, gemini],
    sizes,
    sandboxLimits: { memoryMiB: 512 },
    clock: systemClock,
    logger: noopLogger,
    retryDelayMs: 1000,
  });
  return { subject, provider };
}

describe('SandboxPool', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('fills each architecture to its size with sandboxes made exactly as a session sandbox is', async () => {
    const { subject, provider } = pool({ 'claude-agent-sdk': 2, 'gemini-cli': 1 });
    expect(subject.enabled).toBe(true);
    subject.start();
    await vi.runAllTimersAsync();
    expect(provider.sandboxes).toHaveLength(3);
    expect(subject.stats()).toEqual([
      { architecture: 'claude-agent-sdk', target: 2, ready: 2, creating: 0 },
      { architecture: 'gemini-cli', target: 1, ready: 1, creating: 0 },
    ]);
    const first = provider.sandboxes[0]!;
    expect(first.options).toEqual({
      sessionId: first.sessionId,
      env: {},
      readOnlyPaths: [],
      labels: { 'agent-runtime-architecture': 'claude-agent-sdk' },
      limits: { memoryMiB: 512 },
    });
    // Nothing of any session or profile is in a spare.
    expect(first.roots.workspace.size + first.roots.home.size).toBe(0);
  });

  it('hands each spare out once, with the session id it was created for, and refills in the background', async () => {
    const { subject, provider } = pool({ 'claude-agent-sdk': 1 });
    subject.start();
    await vi.runAllTimersAsync();
    const taken = await subject.take('claude-agent-sdk');
    expect(taken?.sandbox).toBe(provider.sandboxes[0]);
    expect(taken?.sessionId).toBe(provider.sandboxes[0]!.sessionId);
    await vi.runAllTimersAsync();
    const next = await subject.take('claude-agent-sdk');
    expect(next?.sandbox).toBe(provider.sandboxes[1]);
    expect(next?.sessionId).not.toBe(taken?.sessionId);
    expect(await subject.take('gemini-cli')).toBeUndefined(); // no lane for it
  });

  it('drops a spare that died while parked and terminates it', async () => {
    const { subject, provider } = pool({ 'claude-agent-sdk': 1 });
    subject.start();
    await vi.runAllTimersAsync();
    (provider.sandboxes[0] as FakeSandbox).kill();
    expect(await subject.take('claude-agent-sdk')).toBeUndefined();
    expect((provider.sandboxes[0] as FakeSandbox).terminated).toBe(true);
    await vi.runAllTimersAsync();
    expect((await subject.take('claude-agent-sdk'))?.sandbox).toBe(provider.sandboxes[1]);
  });

  it('retries a failed create with backoff on the clock', async () => {
    const { subject, provider } = pool({ 'claude-agent-sdk': 1 });
    provider.failNextCreate(new Error('provider down'));
    subject.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(subject.stats()[0]).toMatchObject({ ready: 0, creating: 0 });
    await vi.advanceTimersByTimeAsync(999);
    expect(provider.sandboxes).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(provider.sandboxes).toHaveLength(1);
    expect(subject.stats()[0]).toMatchObject({ ready: 1 });
  });

  it('stop() terminates every spare, and one still being created when it arrives; nothing is refilled', async () => {
    const { subject, provider } = pool({ 'claude-agent-sdk': 2 });
    subject.start();
    await vi.runAllTimersAsync();
    await subject.stop();
    expect(provider.sandboxes.every((sandbox) => (sandbox as FakeSandbox).terminated)).toBe(true);
    expect(await subject.take('claude-agent-sdk')).toBeUndefined();
    await vi.runAllTimersAsync();
    expect(provider.sandboxes).toHaveLength(2);
  });

  it('is off with no sizes: creates nothing', async () => {
    const { subject, provider } = pool({});
    expect(subject.enabled).toBe(false);
    subject.start();
    await vi.runAllTimersAsync();
    expect(provider.sandboxes).toHaveLength(0);
  });
});

describe('SessionManager with a warm pool', () => {
  const profile: AgentProfile = { id: 'helper', name: 'Helper', agentMDFile: '# be brief', defaultWorkspaceFiles: [{ path: 'README.md', content: '# start' }] };

  function setup(agentProcess?: boolean) {
    const provider = createFakeSandboxProvider();
    const architecture = createScriptedArchitecture(() => []);
    const warmed: string[] = [];
    architecture.warm = async (context) => void warmed.push(`${context.sessionId}@${context.sandbox.id}`);
    const manager = new SessionManager({
      persistence: createMemoryPersistence({ profiles: [profile] }),
      sandboxProvider: provider,
      architectures: [architecture],
      idleTimeoutMs: 60_000,
      syncIntervalMs: 60_000,
      warmPool: { sizes: { 'claude-agent-sdk': 1 }, ...(agentProcess === undefined ? {} : { agentProcess }) },
    });
    return { manager, provider, warmed };
  }

  it('a new session takes the spare (its id is the sandbox session id), gets its files at claim, starts its agent; the pool refills; stop terminates the spare', async () => {
    const { manager, provider, warmed } = setup();
    await manager.start();
    await vi.waitFor(() => expect(manager.warmPoolStats()[0]?.ready).toBe(1));
    const spare = provider.sandboxes[0]!;
    expect(spare.roots.workspace.size).toBe(0);
    const record = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(record.sessionId).toBe(spare.sessionId);
    await vi.waitFor(() => expect(warmed).toEqual([`${record.sessionId}@${spare.id}`]));
    expect(new TextDecoder().decode(spare.roots.workspace.get('README.md')?.bytes)).toBe('# start');
    await vi.waitFor(() => expect(provider.sandboxes).toHaveLength(2));
    const refill = provider.sandboxes[1]!;
    expect(refill.sessionId).not.toBe(record.sessionId);
    // A second session gets the refill, never the first one's sandbox.
    await vi.waitFor(() => expect(manager.warmPoolStats()[0]?.ready).toBe(1));
    const second = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(second.sessionId).toBe(refill.sessionId);
    await vi.waitFor(() => expect(provider.sandboxes).toHaveLength(3));
    await vi.waitFor(() => expect(manager.warmPoolStats()[0]?.ready).toBe(1));
    await manager.stop();
    expect(provider.sandboxes.every((sandbox) => sandbox.terminated)).toBe(true);
  });

  it('a pooled session terminated before its sandbox was built still terminates the spare', async () => {
    const { manager, provider } = setup();
    await manager.start();
    await vi.waitFor(() => expect(manager.warmPoolStats()[0]?.ready).toBe(1));
    const spare = provider.sandboxes[0]!;
    const record = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.terminateSession(record.sessionId);
    expect(spare.terminated).toBe(true);
    await manager.stop();
  });

  it('agentProcess: false leaves the agent to the first turn; warmSession (the user is typing) starts it', async () => {
    const { manager, warmed } = setup(false);
    await manager.start();
    await vi.waitFor(() => expect(manager.warmPoolStats()[0]?.ready).toBe(1));
    const record = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.getSession(record.sessionId);
    expect(warmed).toEqual([]);
    expect(await manager.warmSession(record.sessionId)).toEqual({ warming: true });
    await vi.waitFor(() => expect(warmed).toHaveLength(1));
    await manager.stop();
  });

  it('without a spare (pool empty) a session is created as before; `warm: true` starts its agent', async () => {
    const provider = createFakeSandboxProvider();
    const architecture = createScriptedArchitecture(() => []);
    const warmed: string[] = [];
    architecture.warm = async (context) => void warmed.push(context.sessionId);
    const manager = new SessionManager({
      persistence: createMemoryPersistence({ profiles: [profile] }),
      sandboxProvider: provider,
      architectures: [architecture],
      idleTimeoutMs: 60_000,
      syncIntervalMs: 60_000,
    });
    await manager.start();
    const plain = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const hinted = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk', warm: true });
    await vi.waitFor(() => expect(warmed).toEqual([hinted.sessionId]));
    expect(provider.sandboxes.map((sandbox) => sandbox.sessionId).sort()).toEqual([plain.sessionId, hinted.sessionId].sort());
    await manager.terminateSession(plain.sessionId);
    await expect(manager.warmSession(plain.sessionId)).rejects.toMatchObject({ code: 'SESSION_TERMINATED' });
    await expect(manager.warmSession('nope')).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await manager.stop();
  });
});
