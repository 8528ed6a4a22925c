/**
 * What the fake models beyond the wire (issue 15 item 7): per-RPC latency, image builds that take
 * time or fail, a command router that answers UNAVAILABLE after the sandbox finished, the idle and
 * eviction exit statuses, RESOURCE_EXHAUSTED, and a minimal base environment.
 */
import { Status } from 'nice-grpc';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeModalHarness, type FakeModalHarness } from './index.js';

let harness: FakeModalHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function start(options: Parameters<typeof startFakeModalHarness>[0] = {}) {
  harness = await startFakeModalHarness(options);
  const app = await harness.modal.apps.fromName('fake-production', { createIfMissing: true });
  return { harness, modal: harness.modal, app };
}

describe('fake-modal production behaviours', () => {
  it('adds the configured latency to every RPC', async () => {
    const { modal, app, harness: h } = await start({ latencyMs: 80 });
    const sb = await modal.sandboxes.create(app, modal.images.fromRegistry('debian:bookworm-slim'));
    const before = h.fake.state.calls.length;
    const started = performance.now();
    await sb.poll();
    await sb.poll();
    // Two polls, each at least one round trip of 80 ms (a lower bound, never an upper one).
    expect(h.fake.state.calls.length - before).toBeGreaterThanOrEqual(2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(160);
    await sb.terminate();
  });

  it('an image build takes time (followed through ImageJoinStreaming) and can fail with its message', async () => {
    const { modal, app, harness: h } = await start({ imageBuilds: { durationMs: 300 } });
    const image = modal.images.fromRegistry('node:20').dockerfileCommands(['RUN slow']);
    const started = performance.now();
    await image.build(app);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    expect(h.fake.state.calls).toContain('ModalClient/ImageJoinStreaming');

    h.fake.imageBuilds.durationMs = 0;
    h.fake.imageBuilds.failWith = 'npm ERR! 404 @google/gemini-cli@0.0.0';
    const broken = modal.images.fromRegistry('node:20').dockerfileCommands(['RUN broken']);
    await expect(broken.build(app)).rejects.toThrow(/failed with the exception:\s*npm ERR! 404/);
  });

  it('after terminate the command router answers UNAVAILABLE, so the SDK retries wait() forever', async () => {
    const { modal, app } = await start({ routerUnavailableAfterFinish: true });
    const sb = await modal.sandboxes.create(app, modal.images.fromRegistry('debian:bookworm-slim'));
    const process = await sb.exec(['sleep', '600']);
    const waited = process.wait().then(
      (code) => ({ code }),
      (error: unknown) => ({ error }),
    );
    await sb.terminate();
    // The sandbox reports its end at once; the exec's wait() is still retrying after a while.
    expect(await sb.wait()).toBe(137);
    const outcome = await Promise.race([waited, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 1500))]);
    expect(outcome).toBe('still waiting');
  });

  it('reports idle timeout as 124 and a memory eviction with its own status', async () => {
    const { modal, app, harness: h } = await start({ msPerSecond: 20 });
    const idle = await modal.sandboxes.create(app, modal.images.fromRegistry('debian:bookworm-slim'), { idleTimeoutMs: 5000 });
    expect(await idle.wait()).toBe(124);
    expect(h.fake.state.sandboxes.get(idle.sandboxId)?.endReason).toBe('idle-timeout');

    const evicted = await modal.sandboxes.create(app, modal.images.fromRegistry('debian:bookworm-slim'));
    h.fake.evict(evicted.sandboxId);
    expect(await evicted.wait()).toBe(137);
    expect(h.fake.state.sandboxes.get(evicted.sandboxId)?.result?.status).toBe(8);
  });

  it('RESOURCE_EXHAUSTED on create surfaces at once (not retried)', async () => {
    const { modal, app, harness: h } = await start();
    h.fake.injectError('SandboxCreateV2', Status.RESOURCE_EXHAUSTED, 'workspace sandbox limit reached');
    await expect(modal.sandboxes.create(app, modal.images.fromRegistry('debian:bookworm-slim'))).rejects.toThrow(/sandbox limit reached/);
  });

  it('processes start from a minimal environment, not the host one', async () => {
    process.env.FAKE_MODAL_HOST_ONLY = 'leak';
    const { modal, app } = await start();
    const sb = await modal.sandboxes.create(app, modal.images.fromRegistry('debian:bookworm-slim'), { env: { GIVEN: 'yes' } });
    const child = await sb.exec(['sh', '-c', 'echo "host=${FAKE_MODAL_HOST_ONLY:-none} given=$GIVEN home=${HOME:-none}"']);
    expect((await child.stdout.readText()).trim()).toBe('host=none given=yes home=none');
    expect(await child.wait()).toBe(0);
    delete process.env.FAKE_MODAL_HOST_ONLY;
    await sb.terminate();
  });
});
