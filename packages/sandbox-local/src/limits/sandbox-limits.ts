import { constants } from 'node:fs';
import { access } from 'node:fs/promises';

/** Resource limits of every process of a local sandbox (rlimits; see the README for why not cgroups). */
export interface ResolvedSandboxLimits {
  /** RLIMIT_NPROC: processes + threads of the sandbox's own uid (so: of this sandbox). */
  maxProcesses: number;
  /** RLIMIT_DATA per process, in bytes (heap and other private writable memory). */
  memoryBytes: number;
  /** RLIMIT_FSIZE: the largest file a process may write, in bytes. */
  fileSizeBytes: number;
  /** RLIMIT_NOFILE per process. */
  openFiles: number;
  /** Size of the private /tmp tmpfs, in bytes. */
  tmpBytes: number;
  /** Total allocated size of the workspace's files, in bytes (enforced by the runtime, not the kernel). */
  workspaceBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: ResolvedSandboxLimits = {
  maxProcesses: 512,
  memoryBytes: 2048 * 1024 * 1024,
  fileSizeBytes: 1024 * 1024 * 1024,
  openFiles: 4096,
  tmpBytes: 512 * 1024 * 1024,
  workspaceBytes: 2048 * 1024 * 1024,
};

/** The util-linux / coreutils wrappers that apply the limits; `null` where missing. */
export interface LimitTools {
  prlimit: string | null;
  choom: string | null;
  nice: string | null;
}

async function executable(path: string): Promise<string | null> {
  try {
    await access(path, constants.X_OK);
    return path;
  } catch {
    return null;
  }
}

export async function findLimitTools(): Promise<LimitTools> {
  const [prlimit, choom, nice] = await Promise.all(['/usr/bin/prlimit', '/usr/bin/choom', '/usr/bin/nice'].map(executable));
  return { prlimit: prlimit ?? null, choom: choom ?? null, nice: nice ?? null };
}

/**
 * Wraps `executable args` so that it starts with the limits applied: `prlimit` sets the rlimits,
 * `choom` makes the sandbox the OOM killer's first choice (oom_score_adj 1000), `nice` lowers its
 * CPU priority (10). Each wrapper execs the next, so the pid stays that of the final program.
 * RLIMIT_NPROC only means "this sandbox" when the sandbox has its own uid (`ownUid`).
 */
export function limitedCommand(tools: LimitTools, limits: ResolvedSandboxLimits, ownUid: boolean, executablePath: string, args: string[]) {
  let command = [executablePath, ...args];
  if (tools.nice) command = [tools.nice, '-n', '10', ...command];
  if (tools.choom) command = [tools.choom, '-n', '1000', '--', ...command];
  if (tools.prlimit) {
    const rlimits = [`--data=${limits.memoryBytes}`, `--fsize=${limits.fileSizeBytes}`, `--nofile=${limits.openFiles}`, '--core=0'];
    if (ownUid) rlimits.unshift(`--nproc=${limits.maxProcesses}`);
    command = [tools.prlimit, ...rlimits, '--', ...command];
  }
  return { executable: command[0] as string, args: command.slice(1) };
}
