import { expect, it } from 'vitest';
import { expectCode } from '../contract-helpers/expect-code.js';
import { decoder, eventually, run, sh } from './helpers.js';
import type { SandboxContractContext } from './subject.js';

export function lifecycleTests(context: SandboxContractContext): void {
  const { create, provider, skips, settings } = context;
  const timeout = settings.testTimeoutMs;

  it.skipIf(skips('terminate'))('terminate() stops every process and the sandbox, idempotently', async () => {
    const sandbox = await create();
    expect(await sandbox.isRunning()).toBe(true);
    const first = await sandbox.exec(['sleep', '600']);
    const second = await sandbox.exec(['sh', '-c', 'trap "" TERM; sleep 600 & wait']);
    await sandbox.terminate();
    expect(await first.wait()).not.toBe(0);
    expect(await second.wait()).not.toBe(0);
    expect(await sandbox.isRunning()).toBe(false);
    await sandbox.terminate();
    await expectCode(sandbox.exec(['true']), 'SANDBOX_TERMINATED');
    // Every call after terminate() names the reason, not a generic failure (nor FILE_NOT_FOUND).
    await expectCode(sandbox.readFile('anything.txt'), 'SANDBOX_TERMINATED');
    await expectCode(sandbox.writeFile('anything.txt', 'x'), 'SANDBOX_TERMINATED');
  }, timeout);

  it.skipIf(skips('sandbox-timeout'))('limits.timeoutMs ends the sandbox and its processes', async () => {
    const sandbox = await create({ limits: { timeoutMs: 2000 } });
    const process = await sandbox.exec(['sleep', '600']);
    expect(await process.wait()).not.toBe(0);
    await eventually(async () => !(await sandbox.isRunning()), 'isRunning() to turn false', settings.eventWaitMs);
  }, timeout);

  it.skipIf(skips('isolation'))("a second sandbox cannot see the first one's files", async () => {
    const first = await create();
    const second = await create();
    const secret = `secret-${Math.random().toString(36).slice(2)}`;
    await first.writeFile('secret.txt', secret);
    await sh(first, `printf '%s' "${secret}" > from-process.txt`);
    const probe = await run(second, ['sh', '-c', 'cat "$1/secret.txt" "$1/from-process.txt"; ls -la "$1"', 'sh', first.workspacePath]);
    expect(probe.stdout).not.toContain(secret);
    expect(probe.stdout).not.toContain('from-process.txt');
    expect((await second.listFiles()).map((file) => file.path)).not.toContain('secret.txt');
    await expectCode(second.readFile('secret.txt'), 'FILE_NOT_FOUND');
  }, timeout);

  it.skipIf(skips('attach'))('attach() reconnects to a sandbox by id', async ({ skip }) => {
    const attach = provider().attach?.bind(provider());
    if (!attach) return skip('the provider has no attach()');
    const sandbox = await create();
    await sandbox.writeFile('kept.txt', 'still here');
    const again = await attach(sandbox.id);
    expect(again.id).toBe(sandbox.id);
    expect(again.sessionId).toBe(sandbox.sessionId);
    expect(decoder.decode(await again.readFile('kept.txt'))).toBe('still here');
    expect(await sh(again, 'cat kept.txt')).toBe('still here');
  }, timeout);

  it.skipIf(skips('list'))('list() finds sandboxes by their labels', async ({ skip }) => {
    const list = provider().list?.bind(provider());
    if (!list) return skip('the provider has no list()');
    const marker = `m${Math.random().toString(36).slice(2)}`;
    const sandbox = await create({ labels: { contract: marker } });
    const found = await list({ contract: marker });
    expect(found.map((info) => info.id)).toEqual([sandbox.id]);
    expect(found[0]?.sessionId).toBe(sandbox.sessionId);
    expect(found[0]?.labels).toMatchObject({ contract: marker, sessionId: sandbox.sessionId });
    expect(found[0]?.running).toBe(true);
    expect(await list({ contract: `${marker}-other` })).toEqual([]);
  }, timeout);
}
