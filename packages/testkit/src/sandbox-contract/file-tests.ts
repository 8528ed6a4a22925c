import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { decoder, randomBytes, readText, sh } from './helpers.js';
import type { SandboxContractContext } from './subject.js';

const UNICODE_PATH = 'dossier/été/日本語 файл 🚀.txt';
const UNICODE_TEXT = 'héllo wörld — 日本語 — Ελληνικά — 🚀\nline 2\n';

export function fileTests(context: SandboxContractContext): void {
  const { create, skips, settings } = context;
  const timeout = settings.testTimeoutMs;

  it.skipIf(skips('files'))('round-trips binary content byte for byte', async () => {
    const sandbox = await create();
    const everyByte = Uint8Array.from({ length: 256 }, (_, index) => index);
    const content = new Uint8Array([...everyByte, ...randomBytes(200_000), ...everyByte]);
    await sandbox.writeFile('bin/data.bin', content);
    const read = await sandbox.readFile('bin/data.bin');
    expect(read.length).toBe(content.length);
    expect(Buffer.compare(Buffer.from(read), Buffer.from(content))).toBe(0);
    expect((await sh(sandbox, 'wc -c < bin/data.bin')).trim()).toBe(String(content.length));
  }, timeout);

  it.skipIf(skips('files'))('round-trips unicode content and unicode paths, seen by processes too', async () => {
    const sandbox = await create();
    await sandbox.writeFile(UNICODE_PATH, UNICODE_TEXT);
    expect(decoder.decode(await sandbox.readFile(UNICODE_PATH))).toBe(UNICODE_TEXT);
    const fromProcess = await sandbox.exec(['cat', UNICODE_PATH]);
    const printed = await readText(fromProcess.stdout);
    expect(await fromProcess.wait()).toBe(0);
    expect(printed).toBe(UNICODE_TEXT);
    const listed = await sandbox.listFiles();
    expect(listed.map((file) => file.path)).toContain(UNICODE_PATH);
    expect(listed.find((file) => file.path === UNICODE_PATH)?.size).toBe(Buffer.byteLength(UNICODE_TEXT));
  }, timeout);

  it.skipIf(skips('files'))('overwrites (truncating) and reads files written by processes', async () => {
    const sandbox = await create();
    await sandbox.writeFile('a.txt', 'a long first version');
    await sandbox.writeFile('a.txt', 'short');
    expect(decoder.decode(await sandbox.readFile('a.txt'))).toBe('short');
    await sh(sandbox, 'mkdir -p made/by && printf "from the process" > made/by/process.txt');
    expect(decoder.decode(await sandbox.readFile('made/by/process.txt'))).toBe('from the process');
    expect(decoder.decode(await sandbox.readFile('./made//by/process.txt'))).toBe('from the process');
  }, timeout);

  it.skipIf(skips('files'))('lists files recursively, by directory, and non-recursively', async () => {
    const sandbox = await create();
    await sandbox.writeFile('top.txt', '1');
    await sandbox.writeFile('dir/one.txt', '22');
    await sandbox.writeFile('dir/deeper/two.txt', '333');
    await sh(sandbox, 'mkdir -p empty/dir');
    const all = await sandbox.listFiles();
    expect(all.map((file) => file.path).sort()).toEqual(['dir/deeper/two.txt', 'dir/one.txt', 'top.txt']);
    for (const file of all) {
      expect(file.size).toBe(Number(file.path === 'top.txt' ? 1 : file.path === 'dir/one.txt' ? 2 : 3));
      expect(file.modifiedAt).toBeGreaterThan(0);
    }
    expect((await sandbox.listFiles({ directory: 'dir' })).map((file) => file.path).sort()).toEqual(['dir/deeper/two.txt', 'dir/one.txt']);
    expect((await sandbox.listFiles({ recursive: false })).map((file) => file.path)).toEqual(['top.txt']);
    expect(await sandbox.listFiles({ directory: 'does-not-exist' })).toEqual([]);
  }, timeout);

  it.skipIf(skips('files'))('reports missing files and deletes idempotently', async () => {
    const sandbox = await create();
    await expectCode(sandbox.readFile('missing.txt'), 'FILE_NOT_FOUND');
    await expectCode(sandbox.readFile('missing-dir/missing.txt'), 'FILE_NOT_FOUND');
    await sandbox.writeFile('gone.txt', 'x');
    await sandbox.deleteFile('gone.txt');
    await expectCode(sandbox.readFile('gone.txt'), 'FILE_NOT_FOUND');
    expect((await sandbox.exec(['test', '-e', 'gone.txt']).then((process) => process.wait()))).not.toBe(0);
    await sandbox.deleteFile('gone.txt');
    await sandbox.deleteFile('never/was.txt');
  }, timeout);

  it.skipIf(skips('home'))("keeps the home root apart from the workspace", async () => {
    const sandbox = await create();
    await sandbox.writeFile('.config/settings.json', '{"ok":true}', { root: 'home' });
    expect(await sh(sandbox, 'cat "$HOME/.config/settings.json"')).toBe('{"ok":true}');
    expect((await sandbox.listFiles()).map((file) => file.path)).not.toContain('.config/settings.json');
    expect((await sandbox.listFiles({ root: 'home' })).map((file) => file.path)).toContain('.config/settings.json');
    await sh(sandbox, 'printf transcript > "$HOME/t.jsonl"');
    expect(decoder.decode(await sandbox.readFile('t.jsonl', { root: 'home' }))).toBe('transcript');
    await expectCode(sandbox.readFile('t.jsonl'), 'FILE_NOT_FOUND');
  }, timeout);
}
