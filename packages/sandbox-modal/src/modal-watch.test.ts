/**
 * The change feed's exec rate against the fake (issue 15, "the watcher one exec per second per
 * session"): fast only while a process runs and right after, backing off while nothing runs.
 * Intervals are scaled down (100 ms for the 1 s default, 2 s for the 30 s idle cap).
 */
import type { WorkspaceChange } from '@agent-runtime/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModalHarness, type FakeModalHarness } from '../test/fake-modal/index.js';
import { createModalSandboxProvider, type ModalSandbox, type ModalSandboxProviderOptions } from './index.js';
import { LIST_SCRIPT } from './process/scripts.js';

let harness: FakeModalHarness;
const providerWith = (extra: Partial<ModalSandboxProviderOptions> = {}) =>
  createModalSandboxProvider({ client: harness.modal, appName: 'agent-runtime-watch', watchIntervalMs: 100, watchIdleIntervalMs: 2_000, ...extra });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Workspace listings (the watcher's polls, and any listFiles) run in the sandbox so far. */
const listings = (sandbox: ModalSandbox) => harness.fake.state.sandboxes.get(sandbox.id)!.execs.filter((exec) => exec.argv[2] === LIST_SCRIPT).length;

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

beforeAll(async () => {
  harness = await startFakeModalHarness();
});
afterAll(async () => harness?.close());

describe('watch: polls follow the processes', () => {
  it('backs off while nothing runs, polls every interval while a process runs, and once right after it ends', async () => {
    const sandbox = await providerWith().create({ sessionId: 'watch-rate' });
    const changes: WorkspaceChange[] = [];
    const watcher = await sandbox.watch((change) => changes.push(change));
    try {
      // Idle: backing off 100, 200, 400, 800, 1600 ms, then every 2 s. Over 4 s after that ramp it
      // lists at most 3 times; the old watcher listed every 100 ms (40 times).
      await sleep(3_500);
      const idleStart = listings(sandbox);
      await sleep(4_000);
      const idlePolls = listings(sandbox) - idleStart;
      expect(idlePolls).toBeGreaterThanOrEqual(1);
      expect(idlePolls).toBeLessThanOrEqual(3);

      // A process runs for 3 s, writing a file early: listed about every 100 ms (plus a round
      // trip), the file seen while it runs.
      const busyStart = listings(sandbox);
      const child = await sandbox.exec(['sh', '-c', 'sleep 0.5; printf x > during.txt; sleep 2.5']);
      await until(() => changes.some((change) => change.kind === 'created' && change.path === 'during.txt'), 'the file written during the process');
      expect(await child.wait()).toBe(0);
      const busyPolls = listings(sandbox) - busyStart;
      expect(busyPolls).toBeGreaterThanOrEqual(6);
      expect(busyPolls).toBeGreaterThan(idlePolls * 2);

      // A short process's change is seen right after it ends, not after the idle back-off.
      await sleep(2_000);
      const ended = await sandbox.exec(['sh', '-c', 'printf y > after.txt']);
      expect(await ended.wait()).toBe(0);
      const endedAt = Date.now();
      await until(() => changes.some((change) => change.path === 'after.txt'), 'the file written by a short process');
      expect(Date.now() - endedAt).toBeLessThan(1_200);

      // A process left in the background by an earlier exec still has its changes seen while idle (within the cap).
      const background = await sandbox.exec(['sh', '-c', '(sleep 2; printf z > background.txt) > /dev/null 2>&1 &']);
      expect(await background.wait()).toBe(0);
      await until(() => changes.some((change) => change.path === 'background.txt'), 'the file written in the background', 6_000);
    } finally {
      await watcher.close();
      await sandbox.terminate();
    }
  }, 60_000);

  it('watchIdleIntervalMs 0: no listing at all while nothing runs; writes of our own are still seen', async () => {
    const sandbox = await providerWith({ watchIdleIntervalMs: 0 }).create({ sessionId: 'watch-quiet' });
    const changes: WorkspaceChange[] = [];
    const watcher = await sandbox.watch((change) => changes.push(change));
    try {
      const before = listings(sandbox);
      await sleep(1_500);
      expect(listings(sandbox) - before).toBe(0);
      await sandbox.writeFile('ours.txt', 'written by the runtime');
      await until(() => changes.some((change) => change.kind === 'created' && change.path === 'ours.txt'), 'our own write');
      const afterWrite = listings(sandbox);
      await sleep(1_000);
      expect(listings(sandbox) - afterWrite).toBe(0);
    } finally {
      await watcher.close();
      await sandbox.terminate();
    }
  }, 60_000);
});
