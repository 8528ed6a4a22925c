import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXEC_WRAPPER, KILL_SCRIPT } from './scripts.js';

const directory = mkdtempSync(join(tmpdir(), 'sandbox-modal-scripts-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function exitOf(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))));
}

/** Running and not a zombie (this container's init may not reap orphans at once). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

// The fake always starts execs as process-group leaders; here the wrapper is NOT one (it shares
// the test runner's group), so it takes the `setsid` branch, as it may in real Modal.
describe.each([
  ['not a group leader (setsid branch)', false],
  ['already a group leader', true],
])('exec wrapper + kill script, %s', (_name, detached) => {
  it('kills the whole group, including children that ignore SIGTERM', async () => {
    const pidFile = join(directory, `${detached ? 'leader' : 'member'}.pid`);
    const grandchildFile = join(directory, `${detached ? 'leader' : 'member'}.child`);
    const child = spawn('sh', ['-c', EXEC_WRAPPER, pidFile, 'sh', '-c', `trap "" TERM; sleep 600 & echo $! > ${grandchildFile}; wait`], {
      detached,
      stdio: 'ignore',
    });
    const exited = exitOf(child);
    const kill = spawnSync('sh', ['-c', KILL_SCRIPT, 'sh', pidFile, 'KILL']);
    expect(kill.status).toBe(0);
    expect(await exited).toBe(137);
    const groupLeader = Number(readFileSync(pidFile, 'utf8'));
    expect(groupLeader).toBe(child.pid);
    for (let attempt = 0; attempt < 100; attempt += 1) {
      try {
        if (!alive(Number(readFileSync(grandchildFile, 'utf8')))) break;
      } catch {
        break; // killed before it could record its pid
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    let grandchild = 0;
    try {
      grandchild = Number(readFileSync(grandchildFile, 'utf8'));
    } catch {
      // never started
    }
    expect(grandchild === 0 || !alive(grandchild)).toBe(true);
  });

  it('passes stdin through and keeps the exit code', async () => {
    const pidFile = join(directory, `${detached ? 'leader' : 'member'}-io.pid`);
    const result = spawnSync('sh', ['-c', EXEC_WRAPPER, pidFile, 'sh', '-c', 'cat; exit 7'], { input: 'through\n' });
    expect(result.stdout.toString()).toBe('through\n');
    expect(result.status).toBe(7);
  });
});
