/**
 * Issue 15 items 1 and 3 against the fake, with the fake's production behaviours on: a command
 * router that answers UNAVAILABLE once the sandbox is gone (the SDK retries that forever).
 */
import { AgentRuntimeError, type ErrorCode } from '@agent-runtime/core';
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModalHarness, type FakeModalHarness } from '../test/fake-modal/index.js';
import { createModalSandboxProvider, DEPLOYMENT_TAG, type ModalSandboxProviderOptions } from './index.js';
import { sandboxName } from './sandbox-name.js';

let harness: FakeModalHarness;
const providerWith = (extra: Partial<ModalSandboxProviderOptions> = {}) =>
  createModalSandboxProvider({ client: harness.modal, appName: 'agent-runtime-liveness', stateCheckIntervalMs: 100, ...extra });

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (AgentRuntimeError.isInstance(error) ? error.code : `uncoded: ${String(error)}`),
  );
}

beforeAll(async () => {
  harness = await startFakeModalHarness({ routerUnavailableAfterFinish: true });
});
afterAll(async () => harness?.close());

describe('item 1: a dead sandbox ends its execs, whatever the SDK retries', () => {
  it('an evicted sandbox: wait() gives 137, stdout ends, new calls are SANDBOX_TERMINATED', async () => {
    const provider = providerWith();
    const sandbox = await provider.create({ sessionId: 'dies-under-a-turn' });
    const child = await sandbox.exec(['sh', '-c', 'echo started; exec sleep 600']);
    const reader = child.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('started\n');
    const rest = reader.read();
    // Modal's memory manager stops the sandbox from outside; its router is gone with it.
    harness.fake.evict(sandbox.id);
    expect(await child.wait()).toBe(137);
    expect((await rest).done).toBe(true);
    expect(await sandbox.isRunning()).toBe(false);
    expect(await codeOf(sandbox.exec(['true']))).toBe('SANDBOX_TERMINATED');
    expect(await codeOf(sandbox.readFile('a.txt'))).toBe('SANDBOX_TERMINATED');
  });

  it('a file call in flight when the sandbox dies ends with SANDBOX_TERMINATED', async () => {
    const provider = providerWith();
    const sandbox = await provider.create({ sessionId: 'dies-under-a-read' });
    await sandbox.exec(['mkfifo', 'blocked']).then((process) => process.wait());
    // Writing into a FIFO with no reader blocks (opening it waits) until the sandbox is gone.
    const write = codeOf(sandbox.writeFile('blocked', 'never read'));
    // The file script's exec is `sh -c <script> sh blocked` (the mkfifo exec went through the exec wrapper).
    const blockedExec = () => harness.fake.state.sandboxes.get(sandbox.id)!.execs.find((exec) => exec.argv[3] === 'sh' && exec.argv[4] === 'blocked');
    await expect.poll(() => blockedExec() !== undefined).toBe(true);
    harness.fake.evict(sandbox.id);
    expect(await write).toBe('SANDBOX_TERMINATED');
    // It was still blocked when the sandbox died (killed, not finished by itself).
    await expect.poll(() => blockedExec()?.exitCode).toBe(137);
  });
});

describe('item 3: deployments, names, reattach, orphans', () => {
  it('tags and names sandboxes per deployment; list and attach see only their own deployment', async () => {
    const blue = providerWith({ deployment: 'blue' });
    const green = providerWith({ deployment: 'green' });
    const ours = await blue.create({ sessionId: 'shared-session' });
    const theirs = await green.create({ sessionId: 'shared-session' });
    try {
      const state = harness.fake.state.sandboxes.get(ours.id)!;
      expect(state.tags[DEPLOYMENT_TAG]).toBe('blue');
      expect(state.options.name).toBe(sandboxName('blue', 'shared-session'));
      expect(harness.fake.state.sandboxes.get(theirs.id)!.options.name).not.toBe(state.options.name);
      expect((await blue.list()).map((info) => info.id)).toEqual([ours.id]);
      expect((await green.list({ sessionId: 'shared-session' })).map((info) => info.id)).toEqual([theirs.id]);
      expect(await codeOf(blue.attach(theirs.id))).toBe('NOT_FOUND');
    } finally {
      await Promise.all([ours.terminate(), theirs.terminate()]);
    }
  });

  it('one sandbox per session: a second create for a running session reattaches to it by name', async () => {
    const provider = providerWith({ deployment: 'reattach' });
    const first = await provider.create({ sessionId: 'only-one' });
    await first.writeFile('kept.txt', 'still here');
    const again = await providerWith({ deployment: 'reattach' }).create({ sessionId: 'only-one' });
    try {
      expect(again.id).toBe(first.id);
      expect(new TextDecoder().decode(await again.readFile('kept.txt'))).toBe('still here');
    } finally {
      await first.terminate();
    }
  });

  it('a process whose runtime stopped beating is killed by its own watchdog (no host needed)', async () => {
    const provider = providerWith({ orphanTimeoutMs: 2000, heartbeatIntervalMs: 1000 });
    const sandbox = await provider.create({ sessionId: 'orphaned-exec' });
    const child = await sandbox.exec(['sleep', '600']);
    // The host can no longer reach the sandbox's exec API: heartbeats fail, as after a crash.
    harness.fake.injectError('TaskExecStart', Status.PERMISSION_DENIED, 'host gone', 1_000_000);
    try {
      expect(await child.wait()).toBe(137);
      expect(await sandbox.isRunning()).toBe(true);
    } finally {
      harness.fake.injectError('TaskExecStart', Status.PERMISSION_DENIED, 'host gone', 0);
      await sandbox.terminate();
    }
  });

  it('while the runtime beats, a process outlives the orphan timeout', async () => {
    // Generous margins for a loaded machine: beats every 0.5 s against a 4 s timeout, for 6 s.
    const provider = providerWith({ orphanTimeoutMs: 4000, heartbeatIntervalMs: 500 });
    const sandbox = await provider.create({ sessionId: 'beating-exec' });
    try {
      const child = await sandbox.exec(['sh', '-c', 'sleep 6; exit 4']);
      expect(await child.wait()).toBe(4);
      const beats = harness.fake.state.sandboxes.get(sandbox.id)!.execs.filter((exec) => exec.argv.includes('touch "$1"'));
      expect(beats.length).toBeGreaterThan(0);
    } finally {
      await sandbox.terminate();
    }
  });
});
