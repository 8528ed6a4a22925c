/**
 * Cluster failover on Modal: a node that takes over a dead node's session reattaches to its
 * still-running sandbox. What the provider offers for it, against the fake Modal server: the
 * processes the dead host left running are stopped (the new host's own are spared), and the tags
 * record the new owner while the session and deployment tags stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModalHarness, type FakeModalHarness } from '../test/fake-modal/index.js';
import { createModalSandboxProvider, DEPLOYMENT_TAG, SESSION_TAG, type ModalSandboxProviderOptions } from './index.js';

let harness: FakeModalHarness;
const providerWith = (extra: Partial<ModalSandboxProviderOptions> = {}) =>
  createModalSandboxProvider({ client: harness.modal, appName: 'agent-runtime-reattach', deployment: 'reattach', stateCheckIntervalMs: 100, ...extra });

beforeAll(async () => {
  harness = await startFakeModalHarness();
});
afterAll(async () => harness?.close());

describe('reattaching to a sandbox another host drove', () => {
  it('stopLeftoverProcesses stops what the earlier host left running and spares the new host\'s own processes', async () => {
    const earlier = await providerWith().create({ sessionId: 'left-running' });
    try {
      // The "agent CLI" of the dead host, and a child of it in its process group.
      const leftover = await earlier.exec(['sh', '-c', 'sleep 600 & wait']);
      const later = await providerWith().attach(earlier.id);
      const own = await later.exec(['sleep', '600']);
      expect(await later.stopLeftoverProcesses()).toBe(1);
      expect(await leftover.wait()).toBe(143); // SIGTERM was enough
      const execs = harness.fake.state.sandboxes.get(earlier.id)!.execs;
      const ownExec = execs.find((exec) => exec.argv.at(-2) === 'sleep' && exec.argv.at(-1) === '600');
      expect(ownExec?.exitCode).toBeUndefined(); // still running
      expect(await later.stopLeftoverProcesses()).toBe(0); // nothing left; idempotent
      own.kill('SIGKILL');
      expect(await own.wait()).toBe(137);
    } finally {
      await earlier.terminate();
    }
  });

  it('updateLabels records the new owner; session and deployment tags stay, and list finds it by the new label', async () => {
    const provider = providerWith();
    const sandbox = await provider.create({ sessionId: 'relabelled', labels: { 'agent-runtime-node': 'node-a', 'agent-runtime-architecture': 'claude-agent-sdk' } });
    try {
      await sandbox.updateLabels({ 'agent-runtime-node': 'node-b', sessionId: 'someone-else', [DEPLOYMENT_TAG]: 'other' });
      expect(harness.fake.state.sandboxes.get(sandbox.id)!.tags).toEqual({
        'agent-runtime-node': 'node-b',
        'agent-runtime-architecture': 'claude-agent-sdk',
        [SESSION_TAG]: 'relabelled',
        [DEPLOYMENT_TAG]: 'reattach',
      });
      expect((await provider.list({ 'agent-runtime-node': 'node-b' })).map((info) => info.id)).toEqual([sandbox.id]);
      expect(await provider.list({ 'agent-runtime-node': 'node-a' })).toEqual([]);
    } finally {
      await sandbox.terminate();
    }
  });
});
