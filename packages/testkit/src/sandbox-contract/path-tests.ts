import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { sh } from './helpers.js';
import type { SandboxContractContext } from './subject.js';

const BAD_PATHS = ['../x', '..', '/etc/passwd', '/tmp/x', 'a/../../x', 'a/b/../../../etc/passwd', '', 'a\\..\\..\\x', 'nul\0byte'];

export function pathTests(context: SandboxContractContext): void {
  const { create, skips, settings } = context;
  const timeout = settings.testTimeoutMs;

  it.skipIf(skips('path-traversal'))('refuses relative escapes, absolute paths and empty paths', async () => {
    const sandbox = await create();
    for (const path of BAD_PATHS) {
      await expectCode(sandbox.readFile(path), 'PATH_REFUSED');
      await expectCode(sandbox.writeFile(path, 'x'), 'PATH_REFUSED');
      await expectCode(sandbox.deleteFile(path), 'PATH_REFUSED');
      await expectCode(sandbox.readFile(path, { root: 'home' }), 'PATH_REFUSED');
      if (path !== '') await expectCode(sandbox.listFiles({ directory: path }), 'PATH_REFUSED');
    }
  }, timeout);

  it.skipIf(skips('symlink-escape'))('refuses reads and writes through symlinks a process made to point outside', async () => {
    const sandbox = await create();
    await sh(
      sandbox,
      [
        'ln -s / root-link',
        'ln -s /etc/passwd passwd-link',
        'ln -s /contract-nonexistent-dir/new.txt dangling-link',
        'mkdir -p sub && ln -s ../.. sub/up-two',
      ].join(' && '),
    );
    await expectCode(sandbox.readFile('passwd-link'), 'PATH_REFUSED');
    await expectCode(sandbox.readFile('root-link/etc/passwd'), 'PATH_REFUSED');
    await expectCode(sandbox.readFile('sub/up-two/etc/passwd'), 'PATH_REFUSED');
    await expectCode(sandbox.writeFile('passwd-link', 'owned'), 'PATH_REFUSED');
    await expectCode(sandbox.writeFile('root-link/tmp/contract-escape.txt', 'owned'), 'PATH_REFUSED');
    await expectCode(sandbox.writeFile('root-link/new-dir/escape.txt', 'owned'), 'PATH_REFUSED');
    await expectCode(sandbox.writeFile('dangling-link', 'owned'), 'PATH_REFUSED');
    await expectCode(sandbox.deleteFile('root-link/etc/hostname'), 'PATH_REFUSED');
    await expectCode(sandbox.listFiles({ directory: 'root-link' }), 'PATH_REFUSED');
    const listed = (await sandbox.listFiles()).map((file) => file.path);
    expect(listed.filter((path) => path.startsWith('root-link/') || path.startsWith('sub/up-two/'))).toEqual([]);
    // The links themselves are left alone by a refused write, and deleting a link removes only the link.
    expect((await sh(sandbox, 'readlink passwd-link')).trim()).toBe('/etc/passwd');
    await sandbox.deleteFile('passwd-link');
    expect((await sh(sandbox, 'test -e /etc/passwd && echo still-there')).trim()).toBe('still-there');
  }, timeout);
}
