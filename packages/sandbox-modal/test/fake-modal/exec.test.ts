/** The real SDK's `sb.exec` against the fake: stdio, exit codes, env/workdir mapping, big streams, kill. */
import { createHash, randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModalClient, Sandbox } from 'modal';
import { ROOT_ENV_VAR, startFakeModalHarness, type FakeModalHarness } from './index.js';

let h: FakeModalHarness;
let modal: ModalClient;
let sb: Sandbox;

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

beforeAll(async () => {
  h = await startFakeModalHarness();
  modal = h.modal;
  const app = await modal.apps.fromName('fake-exec', { createIfMissing: true });
  sb = await modal.sandboxes.create(app, modal.images.fromRegistry('alpine:3.21'), {
    workdir: '/workspace',
    env: { SANDBOX_LEVEL: 'sandbox', SHARED: 'from-sandbox' },
  });
});
afterAll(async () => h?.close());

describe('exec', () => {
  it('collects stdout, stderr and the exit code', async () => {
    const process = await sb.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const [stdout, stderr, code] = await Promise.all([process.stdout.readText(), process.stderr.readText(), process.wait()]);
    expect({ stdout, stderr, code }).toEqual({ stdout: 'out\n', stderr: 'err\n', code: 3 });
  });

  it('exit code 0, and 127 for a missing program', async () => {
    expect(await (await sb.exec(['true'])).wait()).toBe(0);
    const missing = await sb.exec(['definitely-not-a-program-xyz']);
    expect(await missing.wait()).toBe(127);
    expect(await missing.stderr.readText()).toContain('definitely-not-a-program-xyz');
  });

  it('a process killed by a signal reports 128 + signal', async () => {
    expect(await (await sb.exec(['sh', '-c', 'kill -TERM $$'])).wait()).toBe(143);
  });

  it('env layers: host env < sandbox env < exec env, plus the root mapping variable', async () => {
    const process = await sb.exec(['sh', '-c', `echo "$SANDBOX_LEVEL $SHARED $EXEC_LEVEL $${ROOT_ENV_VAR}"`], {
      env: { SHARED: 'from-exec', EXEC_LEVEL: 'exec' },
    });
    const root = h.fake.state.sandboxes.get(sb.sandboxId)!.root;
    expect(await process.stdout.readText()).toBe(`sandbox from-exec exec ${root}\n`);
    expect(h.fake.state.sandboxes.get(sb.sandboxId)!.execs.at(-1)!.env).toEqual({ SHARED: 'from-exec', EXEC_LEVEL: 'exec' });
  });

  it('workdir: /workspace runs in <root>/workspace; an exec workdir overrides it', async () => {
    const root = h.fake.state.sandboxes.get(sb.sandboxId)!.root;
    const inDefault = await sb.exec(['pwd']);
    expect(realpathSync((await inDefault.stdout.readText()).trim())).toBe(realpathSync(path.join(root, 'workspace')));
    await sb.filesystem.makeDirectory('/workspace/sub/dir');
    const inSub = await sb.exec(['pwd'], { workdir: '/workspace/sub/dir' });
    expect(realpathSync((await inSub.stdout.readText()).trim())).toBe(realpathSync(path.join(root, 'workspace/sub/dir')));
    const exec = h.fake.state.sandboxes.get(sb.sandboxId)!.execs.at(-1)!;
    expect(exec.workdir).toBe('/workspace/sub/dir');
  });

  it('files written by a process are visible to sb.filesystem and back', async () => {
    await (await sb.exec(['sh', '-c', 'printf made-by-exec > from-exec.txt'])).wait();
    expect(await sb.filesystem.readText('/workspace/from-exec.txt')).toBe('made-by-exec');
    await sb.filesystem.writeText('made-by-fs', '/workspace/from-fs.txt');
    expect(await (await sb.exec(['cat', 'from-fs.txt'])).stdout.readText()).toBe('made-by-fs');
  });

  it('stdin round trip (text): write lines, close, read them back', async () => {
    const process = await sb.exec(['cat']);
    await process.stdin.writeText('line 1\n');
    await process.stdin.writeText('line 2\n');
    await process.stdin.close();
    expect(await process.stdout.readText()).toBe('line 1\nline 2\n');
    expect(await process.wait()).toBe(0);
  });

  it('stdin/stdout interleave: a reply arrives before stdin is closed', async () => {
    const process = await sb.exec(['sh', '-c', 'while read line; do echo "echo:$line"; done'], { mode: 'text' });
    const reader = process.stdout.getReader();
    await process.stdin.writeText('first\n');
    expect((await reader.read()).value).toBe('echo:first\n');
    await process.stdin.writeText('second\n');
    expect((await reader.read()).value).toBe('echo:second\n');
    await process.stdin.close();
    expect((await reader.read()).done).toBe(true);
    expect(await process.wait()).toBe(0);
  });

  it('binary mode: 5 MB of random bytes through stdin and back are identical', async () => {
    const input = randomBytes(5 * 1024 * 1024);
    const process = await sb.exec(['cat'], { mode: 'binary' });
    const output = process.stdout.readBytes();
    const writer = process.stdin.getWriter();
    for (let offset = 0; offset < input.length; offset += 300_000) await writer.write(input.subarray(offset, offset + 300_000));
    await writer.close();
    const bytes = await output;
    expect(bytes.length).toBe(input.length);
    expect(sha256(bytes)).toBe(sha256(input));
  });

  it('10 MB of stdout arrives without loss', async () => {
    const size = 10 * 1024 * 1024;
    const process = await sb.exec(['sh', '-c', `head -c ${size} /dev/urandom > blob && sha256sum blob >&2 && cat blob`], {
      mode: 'binary',
    });
    const [stdout, stderr, code] = await Promise.all([process.stdout.readBytes(), process.stderr.readBytes(), process.wait()]);
    expect(code).toBe(0);
    expect(stdout.length).toBe(size);
    expect(Buffer.from(stderr).toString().split(' ')[0]).toBe(sha256(stdout));
  });

  it('output can be read after the process has exited (everything is retained)', async () => {
    const process = await sb.exec(['sh', '-c', 'seq 1 20000']);
    expect(await process.wait()).toBe(0);
    const text = await process.stdout.readText();
    expect(text.split('\n').length).toBe(20001);
  });

  it('async iteration over stdout chunks', async () => {
    const process = await sb.exec(['sh', '-c', 'echo a; sleep 0.05; echo b']);
    let text = '';
    // Node's web ReadableStream is async-iterable (TS's DOM lib does not say so).
    for await (const chunk of process.stdout as unknown as AsyncIterable<string>) text += chunk;
    expect(text).toBe('a\nb\n');
  });

  it('stdout "ignore" is accepted and the exit code still arrives', async () => {
    const process = await sb.exec(['sh', '-c', 'echo hidden; exit 4'], { stdout: 'ignore' });
    expect(await process.wait()).toBe(4);
  });

  it('exec timeoutMs kills the process', async () => {
    const fast = await startFakeModalHarness({ msPerSecond: 20 });
    try {
      const app = await fast.modal.apps.fromName('t', { createIfMissing: true });
      const sandbox = await fast.modal.sandboxes.create(app, fast.modal.images.fromRegistry('alpine'));
      const process = await sandbox.exec(['sleep', '100'], { timeoutMs: 5000 });
      expect(await process.wait()).toBe(137);
      await sandbox.terminate();
    } finally {
      await fast.close();
      globalThis.process.env.MODAL_SERVER_URL = h.fake.url;
    }
  });

  it('terminate kills a running `sleep 100`: wait() gives 137 and the process is gone', async () => {
    const app = await modal.apps.fromName('fake-exec', { createIfMissing: true });
    const victim = await modal.sandboxes.create(app, modal.images.fromRegistry('alpine:3.21'));
    const process = await victim.exec(['sh', '-c', 'echo $$; exec sleep 100']);
    const reader = process.stdout.getReader();
    const pid = Number(String((await reader.read()).value).trim());
    expect(() => globalThis.process.kill(pid, 0)).not.toThrow();
    await victim.terminate();
    expect(await process.wait()).toBe(137);
    expect((await reader.read()).done).toBe(true);
    expect(() => globalThis.process.kill(pid, 0)).toThrow();
    expect(await victim.wait()).toBe(137);
  });

  it('concurrent execs in one sandbox do not mix their output', async () => {
    const runs = await Promise.all(
      Array.from({ length: 8 }, async (_, index) => {
        const process = await sb.exec(['sh', '-c', `for i in 1 2 3 4 5; do echo ${index}-$i; done`]);
        return process.stdout.readText();
      }),
    );
    runs.forEach((text, index) => expect(text).toBe([1, 2, 3, 4, 5].map((i) => `${index}-${i}\n`).join('')));
  });
});
