import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * scripts/setup.sh, which the Quick-start commands (scripts/demo.sh, scripts/test.sh) source:
 * installs a missing system package with apt-get when it can, else stops with the command to run.
 * apt-get, id and sudo are stand-ins here; nothing is installed.
 */
const setupScript = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'scripts', 'setup.sh');
const fakeBin = mkdtempSync(join(tmpdir(), 'setup-test-'));
const aptLog = join(fakeBin, 'apt.log');
writeFileSync(join(fakeBin, 'apt-get'), `#!/bin/sh\necho "$*" >> ${aptLog}\n`);
chmodSync(join(fakeBin, 'apt-get'), 0o755);
afterAll(() => rmSync(fakeBin, { recursive: true, force: true }));

function run(prelude: string, call: string) {
  rmSync(aptLog, { force: true });
  const result = spawnSync('bash', ['-c', `set -euo pipefail; PATH=${fakeBin}:$PATH; source ${setupScript}; ${prelude}; ${call}; echo CONTINUED`], {
    encoding: 'utf8',
  });
  const apt = existsSync(aptLog) ? readFileSync(aptLog, 'utf8') : '';
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, apt };
}

const asUser = 'id() { echo 1000; }; sudo() { return 1; }';
const asSudoer = 'id() { echo 1000; }; sudo() { if [ "$1" = -n ]; then return 0; fi; "$@"; }';

describe('scripts/setup.sh', () => {
  it('does nothing when everything is there', () => {
    const result = run(asUser, 'require_system_packages "the demo" bash:bash');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('CONTINUED');
    expect(result.apt).toBe('');
  });

  it('without root or a prompt-free sudo: stops with the exact command to run', () => {
    const result = run(asUser, 'require_system_packages "the demo" no-such-command-xyz:bubblewrap /no/such/chromium:chromium');
    expect(result.status).toBe(1);
    expect(result.stdout).not.toContain('CONTINUED');
    expect(result.stderr).toContain('sudo apt-get update && sudo apt-get install -y --no-install-recommends bubblewrap chromium');
    expect(result.apt).toBe('');
  });

  it('as root: runs apt-get itself; stops when the package still is not there', () => {
    const result = run('id() { echo 0; }', 'require_system_packages "the demo" no-such-command-xyz:bubblewrap');
    expect(result.apt).toContain('update -qq');
    expect(result.apt).toContain('install -y --no-install-recommends bubblewrap -qq');
    expect(result.status).toBe(1); // the stand-in apt-get installs nothing
    expect(result.stderr).toContain('Still missing after apt-get: bubblewrap');
  });

  it('with sudo that needs no password: installs through sudo', () => {
    const result = run(asSudoer, 'require_system_packages "the demo" no-such-command-xyz:bubblewrap');
    expect(result.stdout).toContain('sudo apt-get install -y --no-install-recommends bubblewrap');
    expect(result.apt).toContain('install -y --no-install-recommends bubblewrap');
  });

  it('AGENT_RUNTIME_NO_INSTALL=1 only checks', () => {
    const result = run('id() { echo 0; }; export AGENT_RUNTIME_NO_INSTALL=1', 'require_system_packages "the demo" no-such-command-xyz:bubblewrap');
    expect(result.status).toBe(1);
    expect(result.apt).toBe('');
    expect(result.stderr).toContain('apt-get install -y --no-install-recommends bubblewrap');
  });
});
