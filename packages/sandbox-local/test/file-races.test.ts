import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasErrorCode } from '@agent-runtime/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLocalSandboxProvider } from '../src/index.js';
import type { LocalSandbox } from '../src/local-sandbox.js';
import { hostPidsOfUid, hostPidsWith, run, until } from './attack-helpers.js';

// What the README promises about the file API and process lifetime (issue 19).
const root = mkdtempSync(join(tmpdir(), 'sandbox-local-races-'));
const dataDir = join(root, 'data');
const provider = createLocalSandboxProvider({ dataDir, killGraceMs: 200 });
const created: LocalSandbox[] = [];

async function create(): Promise<LocalSandbox> {
  const sandbox = await provider.create({ sessionId: `races-${created.length}` });
  created.push(sandbox);
  return sandbox;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((sandbox) => sandbox.terminate()));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('file API against a hostile sandbox', () => {
  it('a FIFO planted by a process is refused at once by readFile and writeFile (the runtime never blocks on it)', async () => {
    const sandbox = await create();
    expect((await run(sandbox, 'mkfifo pipe && mkdir -p sub && mkfifo sub/pipe2 && echo made')).stdout).toBe('made\n');
    for (const path of ['pipe', 'sub/pipe2']) {
      const read = await sandbox.readFile(path).catch((reason: unknown) => reason);
      expect(hasErrorCode(read, 'FILE_NOT_FOUND'), path).toBe(true);
      const capped = await sandbox.readFile(path, { maxBytes: 10 }).catch((reason: unknown) => reason);
      expect(hasErrorCode(capped, 'FILE_NOT_FOUND'), path).toBe(true);
      const write = await sandbox.writeFile(path, 'x').catch((reason: unknown) => reason);
      expect(hasErrorCode(write, 'INVALID_INPUT'), path).toBe(true);
    }
    expect((await sandbox.listFiles()).map((file) => file.path)).toEqual([]);
  });

  it('a directory swapped for a symlink to a host directory, over and over, never leaks the host file', async () => {
    const hostDirectory = join(root, 'host-secrets');
    mkdirSync(hostDirectory, { recursive: true });
    writeFileSync(join(hostDirectory, 'file.txt'), 'HOST-SECRET');
    const sandbox = await create();
    await sandbox.writeFile('d/file.txt', 'inside');
    // Inside, the host path does not exist, but the symlink is resolved by the runtime on the host.
    const swapper = await sandbox.exec([
      'sh',
      '-c',
      `while true; do mv d d.real && ln -s "${hostDirectory}" d && rm d && mv d.real d; done`,
    ]);
    const outcomes = { inside: 0, refused: 0, missing: 0 };
    let exited = false;
    void swapper.wait().then(() => (exited = true));
    // At least 400 rounds, and on until the race was seen (a loaded machine may start the swapper
    // late): it must be real for the test to mean anything.
    const deadline = Date.now() + 60_000;
    const raced = () => outcomes.refused + outcomes.missing > 0;
    for (let round = 0; !exited && (round < 400 || (!raced() && Date.now() < deadline)); round += 1) {
      const results = await Promise.all(
        [1, 2, 3, 4].map(() =>
          sandbox.readFile('d/file.txt').then(
            (bytes) => new TextDecoder().decode(bytes),
            (error: unknown) => (hasErrorCode(error, 'PATH_REFUSED') ? 'refused' : hasErrorCode(error, 'FILE_NOT_FOUND') ? 'missing' : `error ${String(error)}`),
          ),
        ),
      );
      for (const result of results) {
        expect(result).not.toContain('HOST-SECRET');
        if (result === 'inside') outcomes.inside += 1;
        else if (result === 'refused') outcomes.refused += 1;
        else if (result === 'missing') outcomes.missing += 1;
        else throw new Error(`unexpected outcome: ${result}`);
      }
      const write = await sandbox.writeFile('d/file.txt', 'inside').catch((error: unknown) => error);
      if (write !== undefined) expect(hasErrorCode(write, 'PATH_REFUSED') || hasErrorCode(write, 'FILE_NOT_FOUND'), String(write)).toBe(true);
    }
    swapper.kill('SIGKILL');
    await swapper.wait();
    console.log(`symlink swap race: ${JSON.stringify(outcomes)}`);
    expect(outcomes.refused + outcomes.missing).toBeGreaterThan(0); // the race was real
    expect(outcomes.inside).toBeGreaterThan(0);
    // Nor did a racing writeFile write through the symlink into the host directory.
    expect(readdirSync(hostDirectory)).toEqual(['file.txt']);
    expect(readFileSync(join(hostDirectory, 'file.txt'), 'utf8')).toBe('HOST-SECRET');
  }, 90_000);
});

describe('--die-with-parent', () => {
  it("killing the runtime (SIGKILL) ends every process of its sandboxes", async () => {
    const marker = `sleep 5${Math.floor(Math.random() * 100000)}`;
    const runtime = spawn(process.execPath, [join(import.meta.dirname, 'fixtures/runtime-stand-in.mjs'), join(root, 'die-data'), marker], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const ready = await new Promise<string>((resolve, reject) => {
      runtime.stdout.setEncoding('utf8').on('data', (text: string) => text.startsWith('ready') && resolve(text.trim()));
      runtime.once('exit', (code) => reject(new Error(`stand-in exited early (${code})`)));
    });
    const uid = Number(ready.split(' ')[1]);
    await until(() => hostPidsWith(marker).length === 2, 'both sleepers');
    const exited = new Promise((resolve) => runtime.once('exit', resolve));
    runtime.kill('SIGKILL');
    await exited;
    await until(() => hostPidsWith(marker).length === 0, 'the sleepers to die with their parent');
    expect(hostPidsWith(marker)).toEqual([]);
    if (uid > 0) expect(hostPidsOfUid(uid)).toEqual([]);
  });
});
