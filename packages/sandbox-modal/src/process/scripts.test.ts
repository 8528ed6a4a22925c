import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
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

/** Waits (on the file system, not on time) until `file` holds a pid; fails if it never does. */
async function pidFrom(file: string): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    try {
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid > 0) return pid;
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${file} never got a pid`);
}

async function gone(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 500 && alive(pid); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  return !alive(pid);
}

const kill = (pidFile: string, signal: string) => spawnSync('sh', ['-c', KILL_SCRIPT, 'sh', pidFile, signal]).status;

// The fake always starts execs as process-group leaders; here the wrapper is NOT one (it shares
// the test runner's group), so it takes the `setsid` branch, as it may in real Modal.
describe.each([
  ['not a group leader (setsid branch)', false],
  ['already a group leader', true],
])("exec wrapper + kill script, %s", (_name, detached) => {
  const file = (suffix: string) => join(directory, `${detached ? 'leader' : 'member'}.${suffix}`);

  it('SIGTERM leaves children that ignore it running; SIGKILL then ends the whole group', async () => {
    const pidFile = file('pid');
    const grandchildFile = file('child');
    const child = spawn(
      'sh',
      ['-c', EXEC_WRAPPER, pidFile, file('heartbeat'), '0', 'sh', '-c', `trap "" TERM; sleep 600 & echo $! > ${grandchildFile}; wait`],
      { detached, stdio: 'ignore' },
    );
    const exited = exitOf(child);
    // The grandchild must have started before anything is sent, or the test proves nothing.
    const grandchild = await pidFrom(grandchildFile);
    expect(await pidFrom(pidFile)).toBe(child.pid);
    expect(alive(grandchild)).toBe(true);

    expect(kill(pidFile, 'TERM')).toBe(0);
    // Both ignore TERM: a short exec afterwards shows they are still there.
    expect(spawnSync('sh', ['-c', 'kill -0 "$1" && kill -0 "$2"', 'sh', String(child.pid), String(grandchild)]).status).toBe(0);
    expect(alive(grandchild)).toBe(true);

    expect(kill(pidFile, 'KILL')).toBe(0);
    expect(await exited).toBe(137);
    expect(await gone(grandchild)).toBe(true);
  }, 30_000);

  it('passes stdin through and keeps the exit code', async () => {
    const result = spawnSync('sh', ['-c', EXEC_WRAPPER, file('io.pid'), file('io.heartbeat'), '0', 'sh', '-c', 'cat; exit 7'], { input: 'through\n' });
    expect(result.stdout.toString()).toBe('through\n');
    expect(result.status).toBe(7);
  });

  it('an orphan (heartbeat older than the timeout) is killed with its whole group by its own watchdog', async () => {
    const heartbeat = file('orphan.heartbeat');
    const grandchildFile = file('orphan.child');
    // The wrapper touches the heartbeat when it starts; nobody beats afterwards (the runtime is "gone").
    const child = spawn('sh', ['-c', EXEC_WRAPPER, file('orphan.pid'), heartbeat, '1', 'sh', '-c', `sleep 600 & echo $! > ${grandchildFile}; wait`], {
      detached,
      stdio: 'ignore',
    });
    const exited = exitOf(child);
    const grandchild = await pidFrom(grandchildFile);
    expect(await exited).toBe(137);
    expect(await gone(grandchild)).toBe(true);
  }, 30_000);

  it('a fresh heartbeat keeps the command running to its own end', async () => {
    const heartbeat = file('beating.heartbeat');
    writeFileSync(heartbeat, '');
    const child = spawn('sh', ['-c', EXEC_WRAPPER, file('beating.pid'), heartbeat, '2', 'sh', '-c', 'sleep 4; exit 3'], { detached, stdio: 'ignore' });
    const exited = exitOf(child);
    const beat = setInterval(() => utimesSync(heartbeat, new Date(), new Date()), 200);
    try {
      expect(await exited).toBe(3);
    } finally {
      clearInterval(beat);
    }
  }, 30_000);
});
