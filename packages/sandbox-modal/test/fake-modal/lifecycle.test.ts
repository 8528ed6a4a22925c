/** The real modal@0.11.1 SDK against the fake: client, apps, images, sandbox lifecycle, tags, list. */
import { ClientError, Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App, Image, ModalClient } from 'modal';
import { startFakeModalHarness, type FakeModalHarness } from './index.js';

let h: FakeModalHarness;
let modal: ModalClient;
let app: App;
let image: Image;

beforeAll(async () => {
  h = await startFakeModalHarness();
  modal = h.modal;
  app = await modal.apps.fromName('fake-lifecycle', { createIfMissing: true });
  image = modal.images.fromRegistry('debian:bookworm-slim').dockerfileCommands(['RUN apt-get update', 'ENV A=1']);
});
afterAll(async () => h?.close());

describe('client and apps', () => {
  it('accepts any fake token and rejects the token "reject" with UNAUTHENTICATED', async () => {
    const rejected = await h.connect({ tokenId: 'reject', tokenSecret: 'whatever' });
    const error = await rejected.apps.fromName('x', { createIfMissing: true }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ClientError);
    expect((error as ClientError).code).toBe(Status.UNAUTHENTICATED);
  });

  it('apps.fromName creates once, returns the same id, and NotFoundError without createIfMissing', async () => {
    const again = await modal.apps.fromName('fake-lifecycle', { createIfMissing: true });
    expect(again.appId).toBe(app.appId);
    expect(app.appId).toMatch(/^ap-[A-Za-z0-9]{22}$/);
    const { NotFoundError } = await import('modal');
    await expect(modal.apps.fromName('does-not-exist')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('sandboxes', () => {
  it('create records every option, builds the image layers, and the sandbox is running', async () => {
    const sb = await modal.sandboxes.create(app, image, {
      timeoutMs: 600_000,
      idleTimeoutMs: 120_000,
      cpu: 2,
      memoryMiB: 2048,
      workdir: '/workspace',
      env: { GREETING: 'hi' },
      tags: { session: 's-1', owner: 'test' },
      name: 'named-sandbox',
    });
    const record = h.fake.state.sandboxes.get(sb.sandboxId)!;
    expect(record.options).toMatchObject({
      timeoutSecs: 600,
      idleTimeoutSecs: 120,
      milliCpu: 2000,
      memoryMb: 2048,
      workdir: '/workspace',
      env: { GREETING: 'hi' },
      name: 'named-sandbox',
      command: [],
    });
    expect(record.tags).toEqual({ session: 's-1', owner: 'test' });
    expect(record.status).toBe('running');
    expect(record.appId).toBe(app.appId);
    const built = h.fake.state.images.get(record.options.imageId)!;
    expect(built.fullDockerfile).toEqual(['FROM debian:bookworm-slim', 'RUN apt-get update', 'ENV A=1']);
    expect(await sb.poll()).toBeNull();
    await sb.terminate();
  });

  it('defaults: 300 s lifetime, no idle timeout, no resources', async () => {
    const sb = await modal.sandboxes.create(app, modal.images.fromRegistry('alpine:3.21'));
    expect(h.fake.state.sandboxes.get(sb.sandboxId)!.options).toMatchObject({
      timeoutSecs: 300,
      idleTimeoutSecs: undefined,
      milliCpu: undefined,
      memoryMb: undefined,
      workdir: undefined,
    });
    await sb.terminate();
  });

  it('a second running sandbox with the same name fails with AlreadyExistsError', async () => {
    const { AlreadyExistsError } = await import('modal');
    const first = await modal.sandboxes.create(app, image, { name: 'unique-name' });
    await expect(modal.sandboxes.create(app, image, { name: 'unique-name' })).rejects.toBeInstanceOf(AlreadyExistsError);
    const found = await modal.sandboxes.fromName('fake-lifecycle', 'unique-name');
    expect(found.sandboxId).toBe(first.sandboxId);
    await first.terminate();
  });

  it('fromId reattaches: exec, tags and poll work on the new handle', async () => {
    const sb = await modal.sandboxes.create(app, image, { tags: { k: 'v' } });
    const again = await modal.sandboxes.fromId(sb.sandboxId);
    const process = await again.exec(['echo', 'reattached']);
    expect(await process.stdout.readText()).toBe('reattached\n');
    expect(await again.getTags()).toEqual({ k: 'v' });
    expect(await again.poll()).toBeNull();
    await sb.terminate();
  });

  it('setTags replaces the whole tag set; getTags reads it back', async () => {
    const sb = await modal.sandboxes.create(app, image, { tags: { a: '1', b: '2' } });
    await sb.setTags({ c: '3' });
    expect(await sb.getTags()).toEqual({ c: '3' });
    expect(h.fake.state.sandboxes.get(sb.sandboxId)!.tags).toEqual({ c: '3' });
    await sb.setTags({});
    expect(await sb.getTags()).toEqual({});
    await sb.terminate();
  });

  it('list({appId, tags}) returns running sandboxes having at least those tags', async () => {
    const listApp = await modal.apps.fromName('fake-list', { createIfMissing: true });
    const one = await modal.sandboxes.create(listApp, image, { tags: { runtime: 'agent', session: 'one' } });
    const two = await modal.sandboxes.create(listApp, image, { tags: { runtime: 'agent', session: 'two' } });
    const other = await modal.sandboxes.create(listApp, image, { tags: { runtime: 'other' } });
    const ids = async (params: { appId: string; tags?: Record<string, string> }): Promise<string[]> => {
      const out: string[] = [];
      for await (const sb of modal.sandboxes.list(params)) out.push(sb.sandboxId);
      return out.sort();
    };
    expect(await ids({ appId: listApp.appId })).toEqual([one.sandboxId, two.sandboxId, other.sandboxId].sort());
    expect(await ids({ appId: listApp.appId, tags: { runtime: 'agent' } })).toEqual([one.sandboxId, two.sandboxId].sort());
    expect(await ids({ appId: listApp.appId, tags: { runtime: 'agent', session: 'two' } })).toEqual([two.sandboxId]);
    await two.terminate();
    expect(await ids({ appId: listApp.appId, tags: { runtime: 'agent' } })).toEqual([one.sandboxId]);
    await one.terminate();
    await other.terminate();
    expect(await ids({ appId: listApp.appId })).toEqual([]);
  });

  it('terminate: poll and wait give 137, later calls fail like real Modal', async () => {
    const { ConflictError, NotFoundError } = await import('modal');
    const sb = await modal.sandboxes.create(app, image, { workdir: '/workspace' });
    await sb.exec(['true']).then((process) => process.wait());
    expect(await sb.terminate({ wait: true })).toBe(137);
    expect(await sb.poll()).toBe(137);
    expect(await sb.wait()).toBe(137);
    const record = h.fake.state.sandboxes.get(sb.sandboxId)!;
    expect(record.status).toBe('finished');
    expect(record.endReason).toBe('terminated');
    // The same handle (task id cached): the command router refuses with NOT_FOUND.
    const execError = await sb.exec(['true']).catch((caught: unknown) => caught);
    expect(execError).toBeInstanceOf(ClientError);
    expect((execError as ClientError).code).toBe(Status.NOT_FOUND);
    await expect(sb.filesystem.readText('/workspace/x')).rejects.toBeInstanceOf(NotFoundError);
    // A fresh handle: the control plane reports the task as finished.
    const fresh = await modal.sandboxes.fromId(sb.sandboxId);
    await expect(fresh.exec(['true'])).rejects.toBeInstanceOf(ConflictError);
    // Terminating twice is harmless.
    await sb.terminate();
  });

  it('timeoutMs ends the sandbox with exit code 124 (timed with msPerSecond)', async () => {
    const fast = await startFakeModalHarness({ msPerSecond: 20 });
    try {
      const fastApp = await fast.modal.apps.fromName('fast', { createIfMissing: true });
      const sb = await fast.modal.sandboxes.create(fastApp, fast.modal.images.fromRegistry('alpine'), { timeoutMs: 1000 });
      expect(await sb.wait()).toBe(124);
      expect(fast.fake.state.sandboxes.get(sb.sandboxId)!.endReason).toBe('timeout');
    } finally {
      await fast.close();
      process.env.MODAL_SERVER_URL = h.fake.url;
    }
  });

  it('idleTimeoutMs: a running exec keeps the sandbox alive; idle afterwards ends it with 124', async () => {
    const sb = await modal.sandboxes.create(app, image, { idleTimeoutMs: 1000 });
    const process = await sb.exec(['sleep', '1.5']);
    expect(await process.wait()).toBe(0); // not killed although it outlived the idle timeout
    expect(await sb.wait()).toBe(124);
    expect(h.fake.state.sandboxes.get(sb.sandboxId)!.endReason).toBe('idle-timeout');
  });

  it('command: the entrypoint runs in the workdir, sb.stdout/stdin work, its exit code ends the sandbox', async () => {
    const sb = await modal.sandboxes.create(app, image, {
      command: ['sh', '-c', 'read line; echo "got $line in $(basename "$PWD")"; echo oops >&2; exit 7'],
      workdir: '/srv',
    });
    await sb.stdin.writeText('ping\n');
    await sb.stdin.close();
    expect(await sb.stdout.readText()).toBe('got ping in srv\n');
    expect(await sb.stderr.readText()).toBe('oops\n');
    expect(await sb.wait()).toBe(7);
    expect(h.fake.state.sandboxes.get(sb.sandboxId)!.endReason).toBe('entrypoint-exited');
  });

  it('injectError makes the next call fail with the given status', async () => {
    h.fake.injectError('SandboxCreateV2', Status.RESOURCE_EXHAUSTED, 'no capacity');
    const error = await modal.sandboxes.create(app, image).catch((caught: unknown) => caught);
    expect((error as ClientError).code).toBe(Status.RESOURCE_EXHAUSTED);
    const sb = await modal.sandboxes.create(app, image);
    await sb.terminate();
  });
});
