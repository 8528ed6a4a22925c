import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, hasErrorCode } from '@agent-runtime/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLocalSandboxProvider } from './index.js';
import type { LocalSandbox } from './local-sandbox.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-local-isolation-'));
const provider = createLocalSandboxProvider({ dataDir, killGraceMs: 1000 });
const created: LocalSandbox[] = [];

async function create(): Promise<LocalSandbox> {
  const sandbox = await provider.create({ sessionId: `iso-${created.length}` });
  created.push(sandbox);
  return sandbox;
}

async function run(sandbox: LocalSandbox, script: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const process = await sandbox.exec(['sh', '-c', script, 'sh', ...args]);
  const [stdout, stderr, code] = await Promise.all([new Response(process.stdout).text(), new Response(process.stderr).text(), process.wait()]);
  return { code, stdout, stderr };
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((sandbox) => sandbox.terminate()));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('local sandbox isolation (real bubblewrap)', () => {
  it('cannot read host files the runtime can read: the data dir, /root, the runtime source', async () => {
    const hostSecret = join(dataDir, 'runtime-secret.txt');
    writeFileSync(hostSecret, 'host-only-secret');
    const sandbox = await create();
    const targets = [hostSecret, join(dataDir, 'sandboxes', sandbox.id, 'meta.json'), import.meta.filename, '/etc/shadow', '/root'];
    for (const target of targets) {
      expect(existsSync(target), `the host can see ${target}`).toBe(true);
      const result = await run(sandbox, 'cat "$1" || ls -A "$1"', [target]);
      expect(result.stdout, target).toBe('');
      expect(result.code, target).not.toBe(0);
    }
    expect(readFileSync(hostSecret, 'utf8')).toBe('host-only-secret');
  });

  it("sees only its own workspace: not another sandbox's, not the sandboxes directory", async () => {
    const first = await create();
    const second = await create();
    await first.writeFile('mine.txt', 'first');
    const probe = await run(second, 'ls -A "$1"; ls -A "$2"; cat "$1/mine.txt"', [first.workspacePath, join(dataDir, 'sandboxes')]);
    expect(probe.stdout.split('\n').filter(Boolean)).toEqual([second.id]);
    expect(probe.stdout).not.toContain('first');
  });

  it('has its own pid namespace, no capabilities, a read-only system and a private /tmp', async () => {
    const first = await create();
    const second = await create();
    const result = await run(
      first,
      'for p in /proc/[0-9]*; do tr "\\0" " " < $p/cmdline; echo; done; echo ---; grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status; echo ---; touch /usr/x; echo ---; echo private > /tmp/mark && echo wrote',
    );
    const [processes = '', capabilities = '', readOnly = '', tmp = ''] = result.stdout.split('---\n');
    // Only this exec's own processes are visible: none of the host's (not this test runner).
    expect(processes).not.toMatch(/vitest|node .*vitest/);
    expect(processes.split('\n').filter(Boolean).length).toBeLessThan(10);
    expect(capabilities.trim().split('\n')).toEqual(['CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000', 'CapBnd:\t0000000000000000']);
    expect(readOnly).toBe('');
    expect(result.stderr).toMatch(/touch: cannot touch '\/usr\/x': (Read-only file system|Permission denied)/);
    expect(tmp).toBe('wrote\n');
    const other = await run(second, 'cat /tmp/mark');
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain('No such file or directory');
  });

  it('delivers SIGTERM to the command first, so it can shut down gracefully', async () => {
    const sandbox = await create();
    const process = await sandbox.exec(['sh', '-c', 'trap "echo cleaned; exit 7" TERM; echo ready; sleep 600 & wait']);
    const reader = process.stdout.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('ready\n');
    process.kill();
    expect(await process.wait()).toBe(7);
  });

  it('leaves no process behind after terminate', async () => {
    const sandbox = await create();
    const seconds = 7000 + Math.floor(Math.random() * 1000);
    const pattern = new RegExp(`^sleep (${seconds}|${seconds + 1}|${seconds + 2})$`);
    await sandbox.exec(['sh', '-c', `sleep ${seconds} & sleep ${seconds + 1} & trap "" TERM; sleep ${seconds + 2}`]);
    const running = () => execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => pattern.test(line.trim()));
    while (running().length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    await sandbox.terminate();
    const leftovers = running();
    expect(leftovers).toEqual([]);
    expect(existsSync(join(dataDir, 'sandboxes', sandbox.id))).toBe(false);
  });
});

describe('local provider without bubblewrap', () => {
  it('refuses with SANDBOX_UNAVAILABLE and says how to install bubblewrap', async () => {
    const missing = createLocalSandboxProvider({ dataDir, bwrapPath: '/nonexistent/bwrap' });
    const error = await missing.create({ sessionId: 'nope' }).catch((reason: unknown) => reason);
    expect(hasErrorCode(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('apt-get install -y bubblewrap');
  });

  it('runs unisolated only when asked, with a warning on every start', async () => {
    const warnings: string[] = [];
    const logger: Logger = { debug() {}, info() {}, error() {}, warn: (_object, message) => warnings.push(message ?? '') };
    const unisolated = createLocalSandboxProvider({ dataDir, bwrapPath: '/nonexistent/bwrap', unisolated: true, logger });
    const first = await unisolated.create({ sessionId: 'u1' });
    const second = await unisolated.create({ sessionId: 'u2' });
    created.push(first, second);
    expect(warnings.length).toBe(2);
    expect(warnings[0]).toMatch(/WITHOUT isolation/);
    const result = await run(first, 'pwd -P; echo "$HOME"');
    expect(result.stdout).toBe(`${first.workspacePath}\n${first.homePath}\n`);
    await unisolated.attach(first.id);
    expect(warnings.length).toBe(2); // the live sandbox is returned as is
  });
});
