/** The real SDK's `sb.filesystem.*` against the fake's fs-tools emulation. */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Modal from 'modal';
import { startFakeModalHarness, toHostPath, type FakeModalHarness } from './index.js';

let h: FakeModalHarness;
let sb: Modal.Sandbox;
let root: string;

beforeAll(async () => {
  h = await startFakeModalHarness({ watchPollMs: 20 });
  const app = await h.modal.apps.fromName('fake-fs', { createIfMissing: true });
  sb = await h.modal.sandboxes.create(app, h.modal.images.fromRegistry('alpine:3.21'), { workdir: '/workspace' });
  root = h.fake.state.sandboxes.get(sb.sandboxId)!.root;
});
afterAll(async () => h?.close());

describe('sb.filesystem', () => {
  it('writeText / readText, creating parent directories, stored under <root>', async () => {
    await sb.filesystem.writeText('héllo', '/workspace/deep/er/a.txt');
    expect(await sb.filesystem.readText('/workspace/deep/er/a.txt')).toBe('héllo');
    expect(readFileSync(path.join(root, 'workspace/deep/er/a.txt'), 'utf8')).toBe('héllo');
    expect(toHostPath(root, '/workspace/deep/er/a.txt')).toBe(path.join(root, 'workspace/deep/er/a.txt'));
  });

  it('writeBytes / readBytes keep binary content exactly (2 MB)', async () => {
    const data = randomBytes(2 * 1024 * 1024);
    await sb.filesystem.writeBytes(data, '/workspace/blob.bin');
    const back = await sb.filesystem.readBytes('/workspace/blob.bin');
    expect(Buffer.from(back).equals(data)).toBe(true);
  });

  it('overwrites an existing file; an empty write gives an empty file', async () => {
    await sb.filesystem.writeText('first version', '/workspace/over.txt');
    await sb.filesystem.writeText('2nd', '/workspace/over.txt');
    expect(await sb.filesystem.readText('/workspace/over.txt')).toBe('2nd');
    await sb.filesystem.writeText('', '/workspace/empty.txt');
    expect(await sb.filesystem.readText('/workspace/empty.txt')).toBe('');
  });

  it('listFiles: sorted FileInfo entries with in-sandbox paths', async () => {
    await sb.filesystem.makeDirectory('/workspace/list/sub');
    await sb.filesystem.writeText('bb', '/workspace/list/b.txt');
    await sb.filesystem.writeText('a', '/workspace/list/a.txt');
    const entries = await sb.filesystem.listFiles('/workspace/list');
    expect(entries.map((entry) => [entry.name, entry.path, entry.type])).toEqual([
      ['a.txt', '/workspace/list/a.txt', 'file'],
      ['b.txt', '/workspace/list/b.txt', 'file'],
      ['sub', '/workspace/list/sub', 'directory'],
    ]);
    expect(entries[1]).toMatchObject({ size: 2, symlinkTarget: null, permissions: expect.stringMatching(/^[rwx-]{9}$/) });
    expect(typeof entries[1]!.modifiedTime).toBe('number');
  });

  it('stat: file, directory, symlink; NotFound for a missing path', async () => {
    await sb.filesystem.writeText('x', '/workspace/stat.txt');
    expect(await sb.filesystem.stat('/workspace/stat.txt')).toMatchObject({ name: 'stat.txt', type: 'file', size: 1 });
    expect(await sb.filesystem.stat('/workspace')).toMatchObject({ path: '/workspace', type: 'directory' });
    await (await sb.exec(['ln', '-s', 'stat.txt', 'link.txt'])).wait();
    expect(await sb.filesystem.stat('/workspace/link.txt')).toMatchObject({ type: 'symlink', symlinkTarget: 'stat.txt' });
    await expect(sb.filesystem.stat('/workspace/missing')).rejects.toBeInstanceOf(Modal.SandboxFilesystemNotFoundError);
  });

  it('makeDirectory: parents by default and idempotent; strict mode errors', async () => {
    await sb.filesystem.makeDirectory('/workspace/m/n/o');
    await sb.filesystem.makeDirectory('/workspace/m/n/o');
    expect((await sb.filesystem.stat('/workspace/m/n/o')).type).toBe('directory');
    await expect(sb.filesystem.makeDirectory('/workspace/m/n/o', { createParents: false })).rejects.toBeInstanceOf(
      Modal.SandboxFilesystemPathAlreadyExistsError,
    );
    await expect(sb.filesystem.makeDirectory('/workspace/nope/x', { createParents: false })).rejects.toBeInstanceOf(
      Modal.SandboxFilesystemNotFoundError,
    );
  });

  it('remove: file, empty dir, non-empty dir needs recursive', async () => {
    await sb.filesystem.writeText('x', '/workspace/rm/inner/f.txt');
    await sb.filesystem.remove('/workspace/rm/inner/f.txt');
    expect(existsSync(path.join(root, 'workspace/rm/inner/f.txt'))).toBe(false);
    await sb.filesystem.writeText('x', '/workspace/rm/inner/g.txt');
    await expect(sb.filesystem.remove('/workspace/rm')).rejects.toBeInstanceOf(Modal.SandboxFilesystemDirectoryNotEmptyError);
    await sb.filesystem.remove('/workspace/rm', { recursive: true });
    expect(existsSync(path.join(root, 'workspace/rm'))).toBe(false);
    await expect(sb.filesystem.remove('/workspace/rm')).rejects.toBeInstanceOf(Modal.SandboxFilesystemNotFoundError);
  });

  it('error classes: reading a directory, listing a file, writing onto a directory', async () => {
    await sb.filesystem.writeText('x', '/workspace/errs/file.txt');
    await expect(sb.filesystem.readText('/workspace/errs')).rejects.toBeInstanceOf(Modal.SandboxFilesystemIsADirectoryError);
    await expect(sb.filesystem.listFiles('/workspace/errs/file.txt')).rejects.toBeInstanceOf(
      Modal.SandboxFilesystemNotADirectoryError,
    );
    await expect(sb.filesystem.writeText('x', '/workspace/errs')).rejects.toBeInstanceOf(Modal.SandboxFilesystemIsADirectoryError);
    await expect(sb.filesystem.readText('/workspace/errs/none.txt')).rejects.toBeInstanceOf(Modal.SandboxFilesystemNotFoundError);
  });

  it('the SDK refuses relative paths; `..` cannot climb out of the sandbox root', async () => {
    await expect(sb.filesystem.readText('relative.txt')).rejects.toBeInstanceOf(Modal.InvalidError);
    await sb.filesystem.writeText('contained', '/../../../escape.txt');
    expect(readFileSync(path.join(root, 'escape.txt'), 'utf8')).toBe('contained');
  });

  it('copyFromLocal / copyToLocal', async () => {
    const local = path.join(h.fake.rootDir, 'local-in.txt');
    writeFileSync(local, 'from the host');
    await sb.filesystem.copyFromLocal(local, '/workspace/copied.txt');
    const out = path.join(h.fake.rootDir, 'local-out.txt');
    await sb.filesystem.copyToLocal('/workspace/copied.txt', out);
    expect(readFileSync(out, 'utf8')).toBe('from the host');
  });

  it('watch reports Create / Modify / Remove with in-sandbox paths and stops when the loop breaks', async () => {
    await sb.filesystem.makeDirectory('/workspace/watched');
    const seen: string[] = [];
    const events = sb.filesystem.watch('/workspace/watched', { recursive: true });
    const consumer = (async () => {
      for await (const event of events) {
        seen.push(`${event.eventType} ${event.paths.join(',')}`);
        if (event.eventType === 'Remove') break;
      }
    })();
    // Each step waits until the previous event is seen, so no timing assumption is needed.
    const until = async (entry: string): Promise<void> => {
      while (!seen.includes(entry)) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    // The watcher starts asynchronously: create probe files until one is reported.
    for (let probe = 0; !seen.some((entry) => entry.startsWith('Create')); probe += 1) {
      await sb.filesystem.writeText('probe', `/workspace/watched/probe-${probe}.txt`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await sb.filesystem.writeText('one', '/workspace/watched/f.txt');
    await until('Create /workspace/watched/f.txt');
    await sb.filesystem.writeText('two, longer', '/workspace/watched/f.txt');
    await until('Modify /workspace/watched/f.txt');
    await sb.filesystem.remove('/workspace/watched/f.txt');
    await consumer;
    expect(seen.at(-1)).toBe('Remove /workspace/watched/f.txt');
  });
});
