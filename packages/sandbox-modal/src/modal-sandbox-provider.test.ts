import { AgentRuntimeError, type ErrorCode, type Logger } from '@agent-runtime/core';
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModalHarness, type FakeModalHarness } from '../test/fake-modal/index.js';
import { hostname } from 'node:os';
import { createModalSandboxProvider, DEFAULT_MODAL_DOCKERFILE_COMMANDS, DEPLOYMENT_TAG, SESSION_TAG, type ModalSandboxProviderOptions } from './index.js';

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (AgentRuntimeError.isInstance(error) ? error.code : `uncoded: ${String(error)}`),
  );
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = () => {};
  return { warnings, debug: noop, info: noop, error: noop, warn: (_object, message) => warnings.push(message ?? '') };
}

async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await new Response(stream).arrayBuffer());
}

let harness: FakeModalHarness;
const providerWith = (extra: Partial<ModalSandboxProviderOptions> = {}) =>
  createModalSandboxProvider({ client: harness.modal, appName: 'agent-runtime-test', ...extra });

beforeAll(async () => {
  harness = await startFakeModalHarness();
});
afterAll(async () => {
  await harness.close();
});

describe('createModalSandboxProvider options', () => {
  it('refuses to start without credentials, with a message that says where they go', () => {
    const saved = { id: process.env.MODAL_TOKEN_ID, secret: process.env.MODAL_TOKEN_SECRET };
    delete process.env.MODAL_TOKEN_ID;
    delete process.env.MODAL_TOKEN_SECRET;
    try {
      const error = (() => {
        try {
          createModalSandboxProvider({ appName: 'x' });
        } catch (caught) {
          return caught;
        }
      })();
      expect(AgentRuntimeError.isInstance(error) && error.code).toBe('INVALID_CONFIG');
      expect((error as Error).message).toContain('MODAL_TOKEN_ID');
      expect(() => createModalSandboxProvider({ appName: 'x', tokenId: 'a', tokenSecret: 'b' })).not.toThrow();
      process.env.MODAL_TOKEN_ID = 'from-env';
      process.env.MODAL_TOKEN_SECRET = 'from-env';
      expect(() => createModalSandboxProvider({ appName: 'x' })).not.toThrow();
    } finally {
      if (saved.id === undefined) delete process.env.MODAL_TOKEN_ID;
      else process.env.MODAL_TOKEN_ID = saved.id;
      if (saved.secret === undefined) delete process.env.MODAL_TOKEN_SECRET;
      else process.env.MODAL_TOKEN_SECRET = saved.secret;
    }
  });

  it('validates appName and paths synchronously', () => {
    const client = harness.modal;
    expect(() => createModalSandboxProvider({ client, appName: '' })).toThrow(/appName/);
    expect(() => createModalSandboxProvider({ client, appName: 'a', workspacePath: 'relative' })).toThrow(/workspacePath/);
    expect(() => createModalSandboxProvider({ client, appName: 'a', homePath: '/x/../etc' })).toThrow(/homePath/);
    expect(() => createModalSandboxProvider({ client, appName: 'a', workspacePath: '/w', homePath: '/w/home' })).toThrow(/contain/);
  });

  it('maps tags, limits, the keep-alive command and the default image onto the Modal sandbox', async () => {
    const provider = providerWith();
    const sandbox = await provider.create({
      sessionId: 'session-map',
      env: { FROM_SANDBOX: '1' },
      labels: { team: 'blue' },
      limits: { timeoutMs: 90_500, idleTimeoutMs: 30_000, cpuCount: 1.5, memoryMiB: 2048 },
    });
    try {
      const state = harness.fake.state.sandboxes.get(sandbox.id)!;
      expect(state.tags).toEqual({ team: 'blue', [SESSION_TAG]: 'session-map', [DEPLOYMENT_TAG]: provider.deployment });
      expect(provider.deployment).toBe(hostname());
      expect(state.options).toMatchObject({
        command: ['sleep', 'infinity'],
        timeoutSecs: 91,
        idleTimeoutSecs: 30,
        milliCpu: 1500,
        memoryMb: 2048,
        workdir: '/workspace',
        env: { FROM_SANDBOX: '1' },
      });
      const image = harness.fake.state.images.get(state.options.imageId)!;
      expect(image.fullDockerfile).toEqual(['FROM node:20-bookworm-slim', ...DEFAULT_MODAL_DOCKERFILE_COMMANDS]);
      expect(DEFAULT_MODAL_DOCKERFILE_COMMANDS.join('\n')).toMatch(/@anthropic-ai\/claude-agent-sdk@0\.3\.332.*@google\/gemini-cli@0\.61\.0/);
    } finally {
      await sandbox.terminate();
    }
  });

  it('uses generous defaults, clamps lifetimes to 24 h and rounds up to whole seconds', async () => {
    const logger = recordingLogger();
    const provider = providerWith({ logger });
    const plain = await provider.create({ sessionId: 'session-defaults' });
    const long = await provider.create({ sessionId: 'session-long', limits: { timeoutMs: 48 * 3600_000, idleTimeoutMs: 1 } });
    try {
      // Lifetime: Modal's maximum, the idle timeout does the stopping; resources for two Node CLIs.
      expect(harness.fake.state.sandboxes.get(plain.id)!.options).toMatchObject({ timeoutSecs: 86_400, idleTimeoutSecs: 900, milliCpu: 1000, memoryMb: 2048 });
      expect(harness.fake.state.sandboxes.get(long.id)!.options).toMatchObject({ timeoutSecs: 86_400, idleTimeoutSecs: 1 });
      expect(logger.warnings.some((message) => message.includes('24 h'))).toBe(true);
      expect(await codeOf(provider.create({ sessionId: 's', limits: { timeoutMs: -1 } }))).toBe('INVALID_INPUT');
      expect(await codeOf(provider.create({ sessionId: '' }))).toBe('INVALID_INPUT');
    } finally {
      await Promise.all([plain.terminate(), long.terminate()]);
    }
  });

  it('uses a named image as is, and an image given to create over the provider one', async () => {
    const provider = providerWith({ image: 'registry.example/agents:7' });
    const first = await provider.create({ sessionId: 'session-image' });
    const second = await provider.create({ sessionId: 'session-image-2', image: 'registry.example/other:1' });
    try {
      const dockerfile = (id: string) => harness.fake.state.images.get(harness.fake.state.sandboxes.get(id)!.options.imageId)!.fullDockerfile;
      expect(dockerfile(first.id)).toEqual(['FROM registry.example/agents:7']);
      expect(dockerfile(second.id)).toEqual(['FROM registry.example/other:1']);
      const custom = providerWith({ image: 'registry.example/agents:7', dockerfileCommands: ['RUN echo extra'] });
      const third = await custom.create({ sessionId: 'session-image-3' });
      expect(dockerfile(third.id)).toEqual(['FROM registry.example/agents:7', 'RUN echo extra']);
      await third.terminate();
    } finally {
      await Promise.all([first.terminate(), second.terminate()]);
    }
  });
});

describe('orphans after a runtime crash', () => {
  it('a fresh provider finds sandboxes by tag, attaches to them and reaps them', async () => {
    const before = providerWith();
    const marker = `crash-${Math.random().toString(36).slice(2, 8)}`;
    const a = await before.create({ sessionId: `${marker}-a`, labels: { run: marker } });
    const b = await before.create({ sessionId: `${marker}-b`, labels: { run: marker } });
    await a.writeFile('notes.txt', 'unsaved work');
    // A sandbox in the same app that agent-runtime did not make is never listed or attached.
    const app = await harness.modal.apps.fromName('agent-runtime-test', { createIfMissing: true });
    const foreign = await harness.modal.sandboxes.create(app, harness.modal.images.fromRegistry('alpine:3.21'), { tags: { run: marker } });

    // "Restart": a new client and a new provider that know nothing of the sandboxes above.
    const after = providerWith({ client: await harness.connect() });
    const found = await after.list({ run: marker });
    expect(found.map((info) => info.sessionId).sort()).toEqual([`${marker}-a`, `${marker}-b`]);
    expect(found.every((info) => info.running)).toBe(true);
    expect(found.find((info) => info.id === a.id)?.labels).toEqual({ run: marker, sessionId: `${marker}-a` });
    expect((await after.list({ sessionId: `${marker}-b` })).map((info) => info.id)).toEqual([b.id]);

    const reattached = await after.attach(a.id);
    expect(reattached.sessionId).toBe(`${marker}-a`);
    expect(new TextDecoder().decode(await reattached.readFile('notes.txt'))).toBe('unsaved work');
    expect(await codeOf(after.attach(foreign.sandboxId))).toBe('NOT_FOUND');

    for (const info of found) await (await after.attach(info.id)).terminate();
    expect(await a.isRunning()).toBe(false);
    expect(await codeOf(after.attach(b.id))).toBe('SANDBOX_TERMINATED');
    expect((await after.list({ run: marker })).filter((info) => info.running)).toEqual([]);
    await foreign.terminate();
  });
});

describe('exec, files and errors', () => {
  it('wraps commands for kill, runs in the workspace with HOME set, and refuses bad input', async () => {
    const sandbox = await providerWith().create({ sessionId: 'session-exec' });
    try {
      const process = await sandbox.exec(['sh', '-c', 'printf "%s" "$HOME"'], { cwd: '.' });
      expect(await readText(process.stdout)).toBe(sandbox.homePath);
      expect(await process.wait()).toBe(0);
      const recorded = harness.fake.state.sandboxes.get(sandbox.id)!.execs.find((exec) => exec.argv.includes('printf "%s" "$HOME"'))!;
      expect(recorded.argv.slice(0, 2)).toEqual(['sh', '-c']);
      expect(recorded.workdir).toBe('/workspace');
      expect(recorded.env.HOME).toBe(sandbox.homePath);
      expect(await codeOf(sandbox.exec([]))).toBe('INVALID_INPUT');
      expect(await codeOf(sandbox.exec(['true'], { cwd: 'a/../../b' }))).toBe('PATH_REFUSED');
      await sandbox.writeFile('dir/file.txt', 'x');
      expect(await codeOf(sandbox.readFile('dir'))).toBe('INVALID_INPUT');
      expect(await codeOf(sandbox.deleteFile('dir'))).toBe('INVALID_INPUT');
    } finally {
      await sandbox.terminate();
    }
  });

  it('maps SDK failures to coded errors', async () => {
    const provider = providerWith();
    harness.fake.injectError('SandboxCreateV2', Status.RESOURCE_EXHAUSTED, 'no capacity');
    expect(await codeOf(provider.create({ sessionId: 'session-fail' }))).toBe('SANDBOX_ERROR');

    const rejected = createModalSandboxProvider({ appName: 'agent-runtime-test', tokenId: 'reject', tokenSecret: 'reject' });
    const error = await rejected.create({ sessionId: 'session-auth' }).catch((caught: unknown) => caught);
    expect(AgentRuntimeError.isInstance(error) && error.code).toBe('SANDBOX_UNAVAILABLE');
    expect((error as Error).message).toMatch(/MODAL_TOKEN_ID/);
    await rejected.close();
  });

  it('after terminate every call is SANDBOX_TERMINATED, and terminate is idempotent', async () => {
    const sandbox = await providerWith().create({ sessionId: 'session-term' });
    await Promise.all([sandbox.terminate(), sandbox.terminate()]);
    await sandbox.terminate();
    for (const call of [sandbox.exec(['true']), sandbox.readFile('a.txt'), sandbox.writeFile('a.txt', 'x'), sandbox.listFiles(), sandbox.watch(() => {})]) {
      expect(await codeOf(call)).toBe('SANDBOX_TERMINATED');
    }
    expect(harness.fake.state.sandboxes.get(sandbox.id)!.endReason).toBe('terminated');
  });
});

describe('lifetime and idleness (fast Modal seconds)', () => {
  let fast: FakeModalHarness;
  beforeAll(async () => {
    fast = await startFakeModalHarness({ msPerSecond: 50 });
  });
  afterAll(async () => {
    await fast.close();
  });

  it('an open watcher holds no process in the sandbox, so the idle timeout still fires', async () => {
    const provider = createModalSandboxProvider({ client: fast.modal, appName: 'idle', watchIntervalMs: 600_000 });
    const sandbox = await provider.create({ sessionId: 'session-idle', limits: { idleTimeoutMs: 4000 } });
    const watcher = await sandbox.watch(() => {});
    const state = fast.fake.state.sandboxes.get(sandbox.id)!;
    expect(state.execs.filter((exec) => exec.exitCode === undefined)).toEqual([]);
    await state.execs.at(-1)!.done;
    for (let attempt = 0; attempt < 400 && (await sandbox.isRunning()); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.endReason).toBe('idle-timeout');
    expect(await codeOf(sandbox.exec(['true']))).toBe('SANDBOX_TERMINATED');
    await watcher.close();
  });

  it('a sandbox that ran out of lifetime reports SANDBOX_TERMINATED even to a handle that did not know', async () => {
    const provider = createModalSandboxProvider({ client: fast.modal, appName: 'lifetime' });
    const sandbox = await provider.create({ sessionId: 'session-lifetime', limits: { timeoutMs: 4000 } });
    const state = fast.fake.state.sandboxes.get(sandbox.id)!;
    for (let attempt = 0; attempt < 400 && state.status === 'running'; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.endReason).toBe('timeout');
    expect(await codeOf(sandbox.readFile('a.txt'))).toBe('SANDBOX_TERMINATED');
    expect(await sandbox.isRunning()).toBe(false);
  });
});
