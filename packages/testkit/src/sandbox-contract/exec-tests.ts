import { readStreamBytes } from '@agent-runtime/core/helpers';
import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { decoder, encoder, randomBytes, readText, run, sh } from './helpers.js';
import type { SandboxContractContext } from './subject.js';

export function execTests(context: SandboxContractContext): void {
  const { create, skips, settings } = context;
  const timeout = settings.testTimeoutMs;

  it.skipIf(skips('streaming'))('streams stdout while the process is still running', async () => {
    const sandbox = await create();
    const process = await sandbox.exec(['sh', '-c', 'echo first; read line; echo "got $line"'], { stdin: 'pipe' });
    const reader = process.stdout.getReader();
    let seen = '';
    while (!seen.includes('first\n')) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`stdout ended before "first": ${seen}`);
      seen += decoder.decode(value, { stream: true });
    }
    // The process is now blocked on stdin: the first line arrived before it could exit.
    const writer = process.stdin!.getWriter();
    await writer.write(encoder.encode('hello\n'));
    await writer.close();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
    }
    expect(seen).toBe('first\ngot hello\n');
    expect(await process.wait()).toBe(0);
  }, timeout);

  it.skipIf(skips('streaming'))('keeps stdout and stderr apart, each in order', async () => {
    const sandbox = await create();
    const result = await run(sandbox, ['sh', '-c', 'i=1; while [ $i -le 300 ]; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); done']);
    const expected = (stream: string) => Array.from({ length: 300 }, (_, index) => `${stream} ${index + 1}\n`).join('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(expected('out'));
    expect(result.stderr).toBe(expected('err'));
  }, timeout);

  it.skipIf(skips('large-output'))('delivers 10 MB of output without loss or reordering', async () => {
    const sandbox = await create();
    const lines = 1_450_000;
    const result = await run(sandbox, ['sh', '-c', `seq 1 ${lines}; echo done >&2`]);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(10 * 1024 * 1024);
    const received = result.stdout.split('\n');
    expect(received.length).toBe(lines + 1);
    let mismatch = -1;
    for (let index = 0; index < lines; index += 1) {
      if (received[index] !== String(index + 1)) {
        mismatch = index;
        break;
      }
    }
    expect(mismatch, `first wrong line: ${received[mismatch]}`).toBe(-1);
    expect(result.stderr).toBe('done\n');
  }, timeout);

  it.skipIf(skips('stdin'))('round-trips binary stdin through cat', async () => {
    const sandbox = await create();
    const input = randomBytes(1024 * 1024 + 7);
    const process = await sandbox.exec(['cat'], { stdin: 'pipe' });
    const output = readStreamBytes(process.stdout);
    const writer = process.stdin!.getWriter();
    for (let offset = 0; offset < input.length; offset += 65536) await writer.write(input.slice(offset, offset + 65536));
    await writer.close();
    const received = await output;
    expect(await process.wait()).toBe(0);
    expect(received.length).toBe(input.length);
    expect(Buffer.compare(Buffer.from(received), Buffer.from(input))).toBe(0);
  }, timeout);

  it.skipIf(skips('stdin'))('has no stdin unless asked for one', async () => {
    const sandbox = await create();
    const process = await sandbox.exec(['cat']);
    expect(process.stdin).toBeNull();
    expect(await readText(process.stdout)).toBe('');
    expect(await process.wait()).toBe(0);
  }, timeout);

  it.skipIf(skips('exit-codes'))('reports exit codes', async () => {
    const sandbox = await create();
    for (const code of [0, 1, 3, 42, 255]) {
      expect((await run(sandbox, ['sh', '-c', `exit ${code}`])).code).toBe(code);
    }
    const missing = await sandbox.exec(['definitely-not-a-command-7f3a']).then(
      (process) => process.wait(),
      () => 'rejected',
    );
    expect(missing).not.toBe(0);
  }, timeout);

  it.skipIf(skips('kill'))('kill() stops a process and ends its streams', async () => {
    const sandbox = await create();
    const process = await sandbox.exec(['sleep', '600']);
    const output = readText(process.stdout);
    process.kill();
    expect(await process.wait()).not.toBe(0);
    expect(await output).toBe('');
    const hard = await sandbox.exec(['sh', '-c', 'trap "" TERM; sleep 600']);
    hard.kill('SIGKILL');
    expect(await hard.wait()).not.toBe(0);
  }, timeout);

  it.skipIf(skips('exec-timeout'))('exec timeoutMs stops a process', async () => {
    const sandbox = await create();
    const process = await sandbox.exec(['sleep', '600'], { timeoutMs: 500 });
    expect(await process.wait()).not.toBe(0);
  }, timeout);

  it.skipIf(skips('abort'))('an AbortSignal stops a process', async () => {
    const sandbox = await create();
    const controller = new AbortController();
    const process = await sandbox.exec(['sleep', '600'], { signal: controller.signal });
    controller.abort();
    expect(await process.wait()).not.toBe(0);
  }, timeout);

  it.skipIf(skips('env'))('passes the sandbox env, the exec env over it, and HOME', async () => {
    const sandbox = await create({ env: { CONTRACT_A: 'from sandbox', CONTRACT_B: 'from sandbox' } });
    const stdout = await sh(sandbox, 'printf "%s|%s|%s" "$CONTRACT_A" "$CONTRACT_B" "$HOME"', { env: { CONTRACT_B: 'from exec ✓' } });
    expect(stdout).toBe(`from sandbox|from exec ✓|${sandbox.homePath}`);
  }, timeout);

  it.skipIf(skips('cwd'))('runs in the workspace, or in the cwd given relative to it', async () => {
    const sandbox = await create();
    expect((await sh(sandbox, 'pwd -P')).trim()).toBe(sandbox.workspacePath);
    await sandbox.writeFile('nested/dir/marker.txt', 'here');
    expect((await sh(sandbox, 'pwd -P; cat marker.txt', { cwd: 'nested/dir' })).split('\n')).toEqual([
      `${sandbox.workspacePath}/nested/dir`,
      'here',
    ]);
    await expectCode(sandbox.exec(['pwd'], { cwd: '../' }), 'PATH_REFUSED');
    await expectCode(sandbox.exec(['pwd'], { cwd: '/tmp' }), 'PATH_REFUSED');
  }, timeout);
}
