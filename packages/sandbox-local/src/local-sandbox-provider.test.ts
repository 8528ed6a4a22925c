import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrorCode } from '@agent-runtime/core';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapArguments } from './bwrap/bwrap-arguments.js';
import { createLocalSandboxProvider } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'sandbox-local-provider-'));
const dataDir = join(root, 'data');
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function output(process: { stdout: ReadableStream<Uint8Array>; wait(): Promise<number> }): Promise<[string, number]> {
  return Promise.all([new Response(process.stdout).text(), process.wait()]);
}

describe('bwrapArguments', () => {
  const layout = {
    workspacePath: '/tmp/d/sandboxes/a/workspace',
    homePath: '/tmp/d/sandboxes/a/home',
    readOnlyPaths: ['/tmp/tools/cli', '/tmp/tools'],
    runDirectory: '/tmp/net/a',
    cwd: '/tmp/d/sandboxes/a/workspace',
    unshareNetwork: true,
    tmpBytes: 1024,
    dropsToOwnUid: true,
  };
  const after = (args: string[], flag: string, count: number) => args.slice(args.indexOf(flag) + 1, args.indexOf(flag) + 1 + count);

  it('mounts the tmpfs before any bind, read-only before writable, parents before children', () => {
    const args = bwrapArguments(layout);
    const tmpfs = args.indexOf('--tmpfs');
    expect(args.slice(tmpfs - 4, tmpfs + 2)).toEqual(['--perms', '1777', '--size', '1024', '--tmpfs', '/tmp']);
    const readOnly = args.lastIndexOf('/tmp/tools');
    const readOnlyChild = args.lastIndexOf('/tmp/tools/cli');
    const workspace = args.indexOf('--bind');
    expect(readOnly).toBeGreaterThan(tmpfs);
    expect(readOnlyChild).toBeGreaterThan(readOnly);
    expect(workspace).toBeGreaterThan(readOnlyChild);
    expect(after(args, '--bind', 2)).toEqual([layout.workspacePath, layout.workspacePath]);
    // Parents of the binds are made 0755 (bwrap's default 0700 would lock the sandbox uid out).
    expect(args.join(' ')).toContain('--perms 0755 --dir /tmp/d --perms 0755 --dir /tmp/d/sandboxes');
    expect(args.join(' ')).toContain('--ro-bind /tmp/net/a /run/agent-runtime');
  });

  it('makes /proc read-only, unshares the network and keeps only the capabilities setpriv needs', () => {
    const args = bwrapArguments(layout);
    expect(after(args, '--proc', 3)).toEqual(['/proc', '--remount-ro', '/proc']);
    for (const flag of ['--unshare-net', '--unshare-pid', '--die-with-parent', '--new-session']) expect(args, flag).toContain(flag);
    const capabilities = args.slice(args.indexOf('--cap-drop'), args.indexOf('--die-with-parent'));
    expect(capabilities).toEqual(['--cap-drop', 'ALL', '--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP']);
    const unprivileged = bwrapArguments({ ...layout, unshareNetwork: false, dropsToOwnUid: false });
    expect(unprivileged).not.toContain('--unshare-net');
    expect(unprivileged).not.toContain('--cap-add');
    expect(unprivileged).toEqual(expect.arrayContaining(['--unshare-user', '--disable-userns']));
  });
});

describe('createLocalSandboxProvider', () => {
  it('is synchronous and does no I/O', () => {
    const provider = createLocalSandboxProvider({ dataDir: join(root, 'never-created') });
    expect(provider.name).toBe('local');
    expect(() => createLocalSandboxProvider({ dataDir: '' })).toThrow(/dataDir/);
  });

  it('exposes readOnlyPaths read-only at the same path, and refuses ones that overlap the sandboxes', async () => {
    const tools = join(root, 'tools');
    mkdirSync(tools, { recursive: true });
    writeFileSync(join(tools, 'tool.sh'), 'echo tool-ran\n');
    const provider = createLocalSandboxProvider({ dataDir });
    const sandbox = await provider.create({ sessionId: 'ro', readOnlyPaths: [tools] });
    const [stdout] = await output(await sandbox.exec(['sh', '-c', `sh "${tools}/tool.sh"; touch "${tools}/x" 2>/dev/null || echo read-only`]));
    expect(stdout).toBe('tool-ran\nread-only\n');
    for (const readOnlyPaths of [[dataDir], [root], ['/'], [join(dataDir, 'sandboxes', sandbox.id)], ['relative/path']]) {
      const error = await provider.create({ sessionId: 'bad', readOnlyPaths }).catch((reason: unknown) => reason);
      expect(hasErrorCode(error, 'INVALID_INPUT'), String(readOnlyPaths)).toBe(true);
    }
    await sandbox.terminate();
  });

  it('keeps a secret env value out of every command line on the host (bwrap gets it as its environment)', async () => {
    const secret = `SECRET-${Math.random().toString(36).slice(2)}`;
    const provider = createLocalSandboxProvider({ dataDir });
    const sandbox = await provider.create({ sessionId: 'secret-env', env: { SECRET_VALUE: secret } });
    const child = await sandbox.exec(['sh', '-c', 'echo "$SECRET_VALUE"; exec sleep 30'], { env: { EXEC_SECRET: `${secret}-exec` } });
    const reader = child.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe(`${secret}\n`); // it did reach the process
    const commandLines = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map((name) => {
        try {
          return readFileSync(`/proc/${name}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      });
    expect(commandLines.some((line) => line.includes('sleep\u000030'))).toBe(true); // the sandboxed process is listed
    expect(commandLines.filter((line) => line.includes(secret))).toEqual([]);
    child.kill('SIGKILL');
    await child.wait();
    await sandbox.terminate();
  });

  it("network 'shared' is a loud opt-in: a warning on every create, and the host's loopback is reachable", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_object: object, message?: string) => warnings.push(message ?? '') };
    const shared = createLocalSandboxProvider({ dataDir, network: 'shared', logger });
    const first = await shared.create({ sessionId: 'shared-1' });
    const second = await shared.create({ sessionId: 'shared-2' });
    expect(warnings.filter((message) => message.includes('SHARED NETWORK'))).toHaveLength(2);
    const [stdout] = await output(await first.exec(['sh', '-c', 'cat /proc/net/dev | tail -n +3 | wc -l']));
    expect(Number(stdout)).toBeGreaterThan(1); // more than loopback: the host's interfaces
    const none = await createLocalSandboxProvider({ dataDir }).create({ sessionId: 'none' });
    const [only] = await output(await none.exec(['sh', '-c', 'cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " "']));
    expect(only).toBe('lo\n');
    await Promise.all([first.terminate(), second.terminate(), none.terminate()]);
  });

  it('attach() and list() work from a new provider instance (a runtime restart)', async () => {
    const before = createLocalSandboxProvider({ dataDir });
    const sandbox = await before.create({ sessionId: 'restart', labels: { app: 'x' }, env: { KEPT: 'yes' } });
    await sandbox.writeFile('notes.txt', 'kept');
    const after = createLocalSandboxProvider({ dataDir });
    expect((await after.list({ sessionId: 'restart' })).map((info) => [info.id, info.running])).toEqual([[sandbox.id, true]]);
    const again = await after.attach(sandbox.id);
    expect(again.workspacePath).toBe(sandbox.workspacePath);
    const [stdout] = await output(await again.exec(['sh', '-c', 'cat notes.txt; echo " $KEPT"']));
    expect(stdout).toBe('kept yes\n');
    await again.terminate();
    expect(await after.list({ sessionId: 'restart' })).toEqual([]);
    for (const id of [sandbox.id, '../etc', 'x/y']) {
      const error = await after.attach(id).catch((reason: unknown) => reason);
      expect(hasErrorCode(error, 'NOT_FOUND'), id).toBe(true);
    }
  });

  it('refuses to attach to a sandbox whose lifetime ended, and removes it', async () => {
    const provider = createLocalSandboxProvider({ dataDir });
    const sandbox = await provider.create({ sessionId: 'short', limits: { timeoutMs: 1 } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const error = await createLocalSandboxProvider({ dataDir }).attach(sandbox.id).catch((reason: unknown) => reason);
    expect(hasErrorCode(error, 'SANDBOX_TERMINATED') || hasErrorCode(error, 'NOT_FOUND')).toBe(true);
    expect(await sandbox.isRunning()).toBe(false);
  });
});
