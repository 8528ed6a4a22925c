import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pathRefusedError, type Logger, type WorkspaceFile } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { FakeSandbox } from '@agent-runtime/testkit';
import { WorkspaceMirror } from './workspace-mirror.js';

async function mirrorFor(options: { maxFileBytes?: number } = {}) {
  const persistence = createMemoryPersistence({ profiles: [{ id: 'p', name: 'P' }] });
  await persistence.createSessionRecord({ sessionId: 's', type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active' });
  const changes: string[] = [];
  const warnings: string[] = [];
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (_fields, message) => warnings.push(message ?? ''), error: () => undefined };
  const mirror = new WorkspaceMirror({
    sessionId: 's',
    persistence,
    logger,
    maxFileBytes: options.maxFileBytes ?? 1024,
    isIgnored: (path) => path.startsWith('.agent/'),
    onChange: (kind, path) => changes.push(`${kind} ${path}`),
  });
  const stored = async () => ((await persistence.loadSession('s'))?.workspaceFiles ?? []).map((file: WorkspaceFile) => file.path).sort();
  return { mirror, persistence, changes, warnings, stored };
}

const fakeSandbox = () => new FakeSandbox('fake-1', 's', { sessionId: 's' });

describe('WorkspaceMirror', () => {
  it('a scan finds what no change feed reported: new, modified and deleted files, skipping ignored ones', async () => {
    const { mirror, changes, stored } = await mirrorFor();
    const sandbox = fakeSandbox();
    await sandbox.writeFile('a.txt', 'one');
    await sandbox.writeFile('dir/b.txt', 'two');
    await sandbox.writeFile('.agent/settings.json', '{}');
    await mirror.scan(sandbox);
    expect(await stored()).toEqual(['a.txt', 'dir/b.txt']);
    await sandbox.writeFile('a.txt', 'one, changed');
    await sandbox.deleteFile('dir/b.txt');
    await mirror.scan(sandbox);
    expect(await stored()).toEqual(['a.txt']);
    expect(mirror.get('a.txt')?.content).toBe('one, changed');
    expect(changes).toEqual(['created a.txt', 'created dir/b.txt', 'modified a.txt', 'deleted dir/b.txt']);
  });

  it('skips a file over the size cap (logged, not stored) and a path the sandbox refuses', async () => {
    const { mirror, warnings, stored } = await mirrorFor({ maxFileBytes: 10 });
    const sandbox = fakeSandbox();
    await sandbox.writeFile('small.txt', 'ok');
    await sandbox.writeFile('big.bin', new Uint8Array(11));
    await sandbox.writeFile('link.txt', 'refused');
    const read = sandbox.readFile.bind(sandbox);
    sandbox.readFile = async (path, options) => {
      if (path === 'link.txt') throw pathRefusedError(path, 'a symbolic link');
      return read(path, options);
    };
    await mirror.scan(sandbox);
    expect(await stored()).toEqual(['small.txt']);
    expect(warnings).toEqual(expect.arrayContaining(['workspace file too large to mirror', 'refused to mirror a path']));
  });

  it('a file whose save failed is stored by the next scan', async () => {
    const { mirror, persistence, stored } = await mirrorFor();
    const sandbox = fakeSandbox();
    await sandbox.writeFile('a.txt', 'one');
    const save = persistence.saveWorkspaceFile.bind(persistence);
    persistence.saveWorkspaceFile = async () => {
      throw new Error('database is read-only');
    };
    await expect(mirror.scan(sandbox)).rejects.toThrow('read-only');
    persistence.saveWorkspaceFile = save;
    await mirror.scan(sandbox);
    expect(await stored()).toEqual(['a.txt']);
  });

  describe('in a real local sandbox', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mirror-'));
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('restores stored files, then mirrors a deletion made by a process inside the sandbox', async () => {
      const { mirror, changes, stored, persistence } = await mirrorFor();
      for (const path of ['keep.txt', 'nested/remove.txt']) await persistence.saveWorkspaceFile('s', { path, content: path });
      mirror.load([
        { path: 'keep.txt', content: 'keep.txt' },
        { path: 'nested/remove.txt', content: 'nested/remove.txt' },
      ]);
      const sandbox = await createLocalSandboxProvider({ dataDir }).create({ sessionId: 's' });
      try {
        await mirror.restoreInto(sandbox);
        const removal = await sandbox.exec(['rm', 'nested/remove.txt']);
        expect(await removal.wait()).toBe(0);
        await mirror.scan(sandbox);
        expect(await stored()).toEqual(['keep.txt']);
        expect(changes).toEqual(['deleted nested/remove.txt']);
      } finally {
        await sandbox.terminate();
      }
    });
  });
});
