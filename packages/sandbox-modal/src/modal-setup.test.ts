/**
 * Issue 15 items 2, 5 and 6 and issue 12.3 (keys outside the sandbox) against the fake.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentRuntimeError, type ErrorCode } from '@agent-runtime/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModalHarness, type FakeModalHarness } from '../test/fake-modal/index.js';
import { modalConfigHasToken } from './credentials.js';
import {
  createModalSandboxProvider,
  DEFAULT_MODAL_DOCKERFILE_COMMANDS,
  KEY_PLACEHOLDER,
  type ModalSandboxProviderOptions,
} from './index.js';

let harness: FakeModalHarness;
const providerWith = (extra: Partial<ModalSandboxProviderOptions> = {}) =>
  createModalSandboxProvider({ client: harness.modal, appName: 'agent-runtime-setup', ...extra });

async function codeOf(promise: Promise<unknown>): Promise<ErrorCode | string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (AgentRuntimeError.isInstance(error) ? error.code : `uncoded: ${String(error)}`),
  );
}

beforeAll(async () => {
  harness = await startFakeModalHarness({ secrets: { 'model-keys': { ANTHROPIC_API_KEY: 'sk-ant-real', GEMINI_API_KEY: 'AIza-real' } } });
});
afterAll(async () => harness?.close());

describe('item 2: resources', () => {
  it('cpu, memory and the hard limits reach Modal; limits given to create win', async () => {
    const provider = providerWith({ cpu: 3, memoryMiB: 6144, cpuLimit: 4, memoryLimitMiB: 8192 });
    const configured = await provider.create({ sessionId: 'resources' });
    const overridden = await provider.create({ sessionId: 'resources-2', limits: { cpuCount: 0.5, memoryMiB: 1024 } });
    try {
      const request = (id: string) => (harness.fake.state.sandboxes.get(id)!.request as { definition: { resources: Record<string, number> } }).definition.resources;
      expect(request(configured.id)).toMatchObject({ milliCpu: 3000, memoryMb: 6144, milliCpuMax: 4000, memoryMbMax: 8192 });
      expect(request(overridden.id)).toMatchObject({ milliCpu: 500, memoryMb: 1024 });
    } finally {
      await Promise.all([configured.terminate(), overridden.terminate()]);
    }
  });
});

describe('item 5: image, model URLs, credentials', () => {
  it('start() builds the image once with progress, and create reuses it', async () => {
    harness.fake.imageBuilds.durationMs = 300;
    const progress: string[] = [];
    try {
      const provider = providerWith({ dockerfileCommands: ['RUN echo extra-layer'] });
      await provider.start({ onProgress: (message) => progress.push(message) });
      expect(progress[0]).toMatch(/preparing image/);
      expect(progress.at(-1)).toMatch(/ready \(im-/);
      const joins = harness.fake.state.calls.filter((call) => call.endsWith('ImageJoinStreaming')).length;
      const sandbox = await provider.create({ sessionId: 'image-reused' });
      expect(harness.fake.state.calls.filter((call) => call.endsWith('ImageJoinStreaming')).length).toBe(joins);
      // Custom commands extend the default image: the CLIs stay where the runtime looks for them.
      const image = harness.fake.state.images.get(harness.fake.state.sandboxes.get(sandbox.id)!.options.imageId)!;
      expect(image.fullDockerfile).toEqual(['FROM node:20-bookworm-slim', ...DEFAULT_MODAL_DOCKERFILE_COMMANDS, 'RUN echo extra-layer']);
      await sandbox.terminate();
    } finally {
      harness.fake.imageBuilds.durationMs = 0;
    }
  });

  it("create's onProgress hears a slow image build (and a create joining it mid-way), then scheduling", async () => {
    harness.fake.imageBuilds.durationMs = 700;
    try {
      const provider = providerWith({ dockerfileCommands: ['RUN echo progress-layer'], imageProgressIntervalMs: 150 });
      const first: string[] = [];
      const second: string[] = [];
      const creating = provider.create({ sessionId: 'progress-1', onProgress: (message) => first.push(message) });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const joining = provider.create({ sessionId: 'progress-2', onProgress: (message) => second.push(message) });
      const sandboxes = await Promise.all([creating, joining]);
      await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
      expect(first[0]).toMatch(/^preparing image node:20-bookworm-slim \+ agent CLI layers$/);
      expect(first.some((message) => /^still building image .* \(\d+ s\)$/.test(message))).toBe(true);
      expect(first.slice(-3)).toEqual([expect.stringMatching(/^image .* ready \(im-/), 'scheduling the sandbox on Modal', 'preparing the sandbox']);
      expect(second[0]).toMatch(/^waiting for image .* \(\d+ s so far\)$/);
      expect(second.slice(-2)).toEqual(['scheduling the sandbox on Modal', 'preparing the sandbox']);
      // One build for both.
      expect(harness.fake.state.sandboxes.get(sandboxes[0]!.id)!.options.imageId).toBe(harness.fake.state.sandboxes.get(sandboxes[1]!.id)!.options.imageId);
      // A cached image: only the scheduling steps.
      const third: string[] = [];
      const cached = await provider.create({ sessionId: 'progress-3', onProgress: (message) => third.push(message) });
      await cached.terminate();
      expect(third).toEqual(['scheduling the sandbox on Modal', 'preparing the sandbox']);
    } finally {
      harness.fake.imageBuilds.durationMs = 0;
    }
  });

  it('a failed build and a build over its timeout give clear errors', async () => {
    harness.fake.imageBuilds.failWith = 'npm ERR! code E404';
    try {
      const failing = providerWith({ dockerfileCommands: ['RUN echo will-fail'] });
      const error = await failing.start().catch((caught: unknown) => caught);
      expect(AgentRuntimeError.isInstance(error) && error.code).toBe('SANDBOX_ERROR');
      expect((error as Error).message).toMatch(/npm ERR! code E404/);
    } finally {
      harness.fake.imageBuilds.failWith = undefined;
    }
    harness.fake.imageBuilds.durationMs = 60_000;
    try {
      const slow = providerWith({ dockerfileCommands: ['RUN echo slow'], imageBuildTimeoutMs: 200 });
      const error = await slow.create({ sessionId: 'slow-image' }).catch((caught: unknown) => caught);
      expect(AgentRuntimeError.isInstance(error) && error.code).toBe('SANDBOX_UNAVAILABLE');
      expect((error as Error).message).toMatch(/imageBuildTimeoutMs/);
    } finally {
      harness.fake.imageBuilds.durationMs = 0;
    }
  });

  it('refuses localhost model URLs with INVALID_CONFIG, at create and at exec', async () => {
    const provider = providerWith();
    expect(await codeOf(provider.create({ sessionId: 'local-url', env: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:8080' } }))).toBe('INVALID_CONFIG');
    const sandbox = await provider.create({ sessionId: 'remote-url', env: { ANTHROPIC_BASE_URL: 'https://api.anthropic.com' } });
    try {
      expect(await codeOf(sandbox.exec(['true'], { env: { GOOGLE_GEMINI_BASE_URL: 'http://localhost:9000' } }))).toBe('INVALID_CONFIG');
      const allowed = await providerWith({ allowLocalhostModelUrls: true }).create({ sessionId: 'fake-only', env: { ANTHROPIC_BASE_URL: 'http://[::1]:1' } });
      await allowed.terminate();
    } finally {
      await sandbox.terminate();
    }
  });

  it('takes credentials from ~/.modal.toml (MODAL_CONFIG_PATH) when neither options nor env have them', () => {
    const directory = mkdtempSync(join(tmpdir(), 'modal-toml-'));
    const file = join(directory, '.modal.toml');
    const env = { MODAL_CONFIG_PATH: file } as NodeJS.ProcessEnv;
    try {
      expect(modalConfigHasToken(env)).toBe(false);
      writeFileSync(file, '[other]\ntoken_id = "ak-1"\ntoken_secret = "as-1"\n\n[mine]\ntoken_id = "ak-2"\ntoken_secret = "as-2"\nactive = true\n');
      expect(modalConfigHasToken(env)).toBe(true);
      expect(modalConfigHasToken({ ...env, MODAL_PROFILE: 'missing' })).toBe(false);
      const saved = { path: process.env.MODAL_CONFIG_PATH, id: process.env.MODAL_TOKEN_ID, secret: process.env.MODAL_TOKEN_SECRET };
      delete process.env.MODAL_TOKEN_ID;
      delete process.env.MODAL_TOKEN_SECRET;
      process.env.MODAL_CONFIG_PATH = file;
      try {
        expect(() => createModalSandboxProvider({ appName: 'from-toml' })).not.toThrow();
      } finally {
        process.env.MODAL_CONFIG_PATH = saved.path;
        if (saved.id !== undefined) process.env.MODAL_TOKEN_ID = saved.id;
        if (saved.secret !== undefined) process.env.MODAL_TOKEN_SECRET = saved.secret;
      }
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('item 6: restore in one exec', () => {
  it('writeFiles writes 200 workspace files and a home transcript with a single exec', async () => {
    const sandbox = await providerWith().create({ sessionId: 'batched-restore' });
    try {
      const files = Array.from({ length: 200 }, (_, index) => ({ path: `src/dir-${index % 7}/file-${index}.txt`, content: `content ${index}\n`.repeat(index % 5) }));
      const binary = new Uint8Array(256).map((_, index) => index);
      const execs = () => harness.fake.state.sandboxes.get(sandbox.id)!.execs.length;
      const before = execs();
      await sandbox.writeFiles([...files, { path: 'bin.dat', content: binary }, { path: 'projects/t.jsonl', content: '{"a":1}\n', root: 'home' }]);
      expect(execs() - before).toBe(1);
      expect(new TextDecoder().decode(await sandbox.readFile('src/dir-3/file-17.txt'))).toBe('content 17\n'.repeat(2));
      expect(await sandbox.readFile('bin.dat')).toEqual(binary);
      expect(new TextDecoder().decode(await sandbox.readFile('projects/t.jsonl', { root: 'home' }))).toBe('{"a":1}\n');
      expect((await sandbox.listFiles()).length).toBe(201);
    } finally {
      await sandbox.terminate();
    }
  });

  it('refuses a file behind a symlink that points out, writes the others, and checks paths first', async () => {
    const sandbox = await providerWith().create({ sessionId: 'batched-refusal' });
    try {
      await sandbox.exec(['ln', '-s', '/', 'escape']).then((process) => process.wait());
      const error = await sandbox.writeFiles([{ path: 'escape/etc/x', content: 'no' }, { path: 'ok.txt', content: 'yes' }]).catch((caught: unknown) => caught);
      expect(AgentRuntimeError.isInstance(error) && error.code).toBe('PATH_REFUSED');
      expect(new TextDecoder().decode(await sandbox.readFile('ok.txt'))).toBe('yes');
      expect(await codeOf(sandbox.writeFiles([{ path: '../up', content: 'x' }]))).toBe('PATH_REFUSED');
    } finally {
      await sandbox.terminate();
    }
  });
});

describe('issue 12.3: model keys stay outside the sandbox (Modal outbound policy)', () => {
  it('replaces keys by a placeholder in the sandbox and exec env and asks Modal to add them outside', async () => {
    const provider = providerWith({ modelKeySecret: 'model-keys' });
    const sandbox = await provider.create({ sessionId: 'keys-outside', env: { ANTHROPIC_API_KEY: 'sk-ant-real', OTHER: 'kept' } });
    try {
      const state = harness.fake.state.sandboxes.get(sandbox.id)!;
      expect(state.options.env).toEqual({ ANTHROPIC_API_KEY: KEY_PLACEHOLDER, OTHER: 'kept' });
      const policy = JSON.stringify(state.options.outboundPolicy);
      expect(policy).toContain('api.anthropic.com');
      expect(policy).toContain('generativelanguage.googleapis.com');
      expect(policy).toContain('$ANTHROPIC_API_KEY');
      expect(policy).not.toContain('sk-ant-real');
      const child = await sandbox.exec(['sh', '-c', 'printf "%s %s" "$ANTHROPIC_API_KEY" "$GEMINI_API_KEY"'], { env: { GEMINI_API_KEY: 'AIza-real' } });
      expect(await new Response(child.stdout).text()).toBe(`${KEY_PLACEHOLDER} ${KEY_PLACEHOLDER}`);
      expect(JSON.stringify(state.execs.map((exec) => exec.env))).not.toMatch(/sk-ant-real|AIza-real/);
    } finally {
      await sandbox.terminate();
    }
  });

  it('a missing secret is a clear error', async () => {
    const error = await providerWith({ modelKeySecret: 'no-such-secret' }).create({ sessionId: 'no-secret' }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/no-such-secret/);
  });
});
