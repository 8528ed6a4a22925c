import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { binaryFile, comparableFiles, sessionRecord } from './fixtures.js';
import type { PersistenceContractSubject } from './subject.js';

/** Workspace files: upsert by path, unicode, binary, deletes, path refusal. */
export function workspaceFileTests(subject: () => PersistenceContractSubject): void {
  async function newSession(): Promise<string> {
    const record = sessionRecord();
    await subject().adapter.createSessionRecord(record);
    return record.sessionId;
  }
  async function files(sessionId: string) {
    return comparableFiles((await subject().adapter.loadSession(sessionId))?.workspaceFiles);
  }

  it('upserts files by path and loads them with the session', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveWorkspaceFile(sessionId, { path: 'src/index.ts', content: 'export {};\n' });
    await adapter.saveWorkspaceFile(sessionId, { path: 'README.md', content: '# v1' });
    await adapter.saveWorkspaceFile(sessionId, { path: 'README.md', content: '# v2' });
    expect(await files(sessionId)).toEqual([
      { path: 'README.md', content: '# v2', encoding: 'utf8' },
      { path: 'src/index.ts', content: 'export {};\n', encoding: 'utf8' },
    ]);
  });

  it('is idempotent: saving the same file twice leaves one file', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveWorkspaceFile(sessionId, { path: 'a.txt', content: 'same' });
    const once = await adapter.loadSession(sessionId);
    await adapter.saveWorkspaceFile(sessionId, { path: 'a.txt', content: 'same' });
    expect(await adapter.loadSession(sessionId)).toEqual(once);
  });

  it('round-trips unicode paths and content exactly; NFC and NFD paths are different files', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    const saved = [
      { path: 'docs/日本語/ノート.md', content: '中文内容 한국어', encoding: 'utf8' as const },
      { path: 'emoji/🎉/👩‍💻.txt', content: '🎉👩‍👩‍👧‍👦', encoding: 'utf8' as const },
      { path: 'caf\u00e9.txt', content: 'NFC \u00e9', encoding: 'utf8' as const },
      { path: 'cafe\u0301.txt', content: 'NFD e\u0301', encoding: 'utf8' as const },
      { path: 'with space/and-dash_under.score', content: 'ok', encoding: 'utf8' as const },
      { path: 'control.txt', content: 'NUL\u0000 tab\t bell\u0007 crlf\r\n', encoding: 'utf8' as const },
      { path: 'empty.txt', content: '', encoding: 'utf8' as const },
    ];
    for (const file of saved) await adapter.saveWorkspaceFile(sessionId, file);
    expect(await files(sessionId)).toEqual(comparableFiles(saved));
  });

  it('keeps binary files base64-encoded with encoding "base64"', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    const { bytes, base64 } = binaryFile();
    await adapter.saveWorkspaceFile(sessionId, { path: 'image.png', content: base64, encoding: 'base64' });
    const [file] = (await adapter.loadSession(sessionId))?.workspaceFiles ?? [];
    expect(file).toEqual({ path: 'image.png', content: base64, encoding: 'base64' });
    expect(Buffer.from(file?.content ?? '', 'base64').equals(bytes)).toBe(true);
  });

  it('stores paths normalised (./a//b -> a/b), so save and delete agree', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveWorkspaceFile(sessionId, { path: './dir//file.txt', content: 'x' });
    expect((await files(sessionId)).map((file) => file.path)).toEqual(['dir/file.txt']);
    await adapter.deleteSessionFile(sessionId, 'dir/./file.txt');
    expect(await files(sessionId)).toEqual([]);
  });

  it('deletes one file; deleting a missing file or a file of an unknown session is fine', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    await adapter.saveWorkspaceFile(sessionId, { path: 'keep.txt', content: 'k' });
    await adapter.saveWorkspaceFile(sessionId, { path: 'drop.txt', content: 'd' });
    await adapter.deleteSessionFile(sessionId, 'drop.txt');
    await adapter.deleteSessionFile(sessionId, 'drop.txt');
    await adapter.deleteSessionFile(sessionId, 'never-existed.txt');
    await adapter.deleteSessionFile('no-such-session', 'x.txt');
    expect((await files(sessionId)).map((file) => file.path)).toEqual(['keep.txt']);
  });

  it('keeps files of different sessions apart', async () => {
    const { adapter } = subject();
    const first = await newSession();
    const second = await newSession();
    await adapter.saveWorkspaceFile(first, { path: 'same.txt', content: 'first' });
    await adapter.saveWorkspaceFile(second, { path: 'same.txt', content: 'second' });
    await adapter.deleteSessionFile(first, 'same.txt');
    expect(await files(first)).toEqual([]);
    expect(await files(second)).toEqual([{ path: 'same.txt', content: 'second', encoding: 'utf8' }]);
  });

  it('refuses unsafe paths with PATH_REFUSED and stores nothing', async () => {
    const { adapter } = subject();
    const sessionId = await newSession();
    for (const path of ['../x', '/abs', 'a/../../b', 'dir/..', '', '.', 'a\\b', 'C:/x', 'nul\u0000byte']) {
      await expectCode(adapter.saveWorkspaceFile(sessionId, { path, content: 'evil' }), 'PATH_REFUSED');
      await expectCode(adapter.deleteSessionFile(sessionId, path), 'PATH_REFUSED');
    }
    expect(await files(sessionId)).toEqual([]);
  });

  it('rejects a file for an unknown session with SESSION_NOT_FOUND', async () => {
    await expectCode(subject().adapter.saveWorkspaceFile('no-such-session', { path: 'a.txt', content: 'a' }), 'SESSION_NOT_FOUND');
    expect(await subject().adapter.loadSession('no-such-session')).toBeNull();
  });
}
