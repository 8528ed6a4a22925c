import { dirname } from 'node:path';
import { ETC_ENTRIES, MERGED_USR_SYMLINKS } from './system-paths.js';

/** Where the sandbox's run directory (proxy socket + forwarder) appears inside, read-only. */
export const SANDBOX_RUN_DIRECTORY = '/run/agent-runtime';

export interface BwrapLayout {
  /** Host directory bound read-write at the same path; processes start here by default. */
  workspacePath: string;
  /** Host directory bound read-write at the same path (`HOME`). */
  homePath: string;
  /** Host paths bound read-only at the same paths (already absolute and canonical). */
  readOnlyPaths: readonly string[];
  /** Host directory bound read-only at `SANDBOX_RUN_DIRECTORY` (the network door), if any. */
  runDirectory?: string;
  /** Absolute working directory inside the sandbox (the workspace or below it). */
  cwd: string;
  /** A new network namespace with nothing but loopback. */
  unshareNetwork: boolean;
  /** Size of the private /tmp tmpfs in bytes (tmpfs is memory). */
  tmpBytes: number;
  /**
   * True when bwrap runs as root and the command drops to the sandbox's own uid through
   * `privilegeDrop` (bwrap keeps only CAP_SETUID/SETGID/SETPCAP for that step). False when
   * bwrap runs as an ordinary user: then it makes a user namespace and nested ones are disabled.
   */
  dropsToOwnUid: boolean;
}

/** `--perms 0755 --dir` for each ancestor of `path` not created yet (bwrap would make them 0700). */
function parents(path: string, made: Set<string>): string[] {
  const missing: string[] = [];
  for (let parent = dirname(path); parent !== '/' && !made.has(parent); parent = dirname(parent)) missing.unshift(parent);
  for (const parent of missing) made.add(parent);
  return missing.flatMap((parent) => ['--perms', '0755', '--dir', parent]);
}

/**
 * The bwrap argument list (without the command). Order matters, because bwrap applies mounts in
 * order: the tmpfs on /tmp comes before every bind so that binds below /tmp (a data dir in
 * /tmp) stay visible, read-only paths come before the writable binds, parents before children.
 * The environment is not in the arguments: bwrap is spawned with exactly the sandbox env, so
 * secrets never show up in the host's process list.
 */
export function bwrapArguments(layout: BwrapLayout): string[] {
  const args: string[] = ['--ro-bind', '/usr', '/usr'];
  for (const [target, link] of MERGED_USR_SYMLINKS) args.push('--symlink', target, link);
  args.push('--perms', '0755', '--dir', '/etc');
  for (const entry of ETC_ENTRIES) args.push('--ro-bind-try', entry, entry);
  args.push('--proc', '/proc', '--remount-ro', '/proc', '--dev', '/dev');
  args.push('--perms', '1777', '--size', String(layout.tmpBytes), '--tmpfs', '/tmp', '--perms', '0755', '--dir', '/var', '--perms', '1777', '--dir', '/var/tmp');
  const made = new Set<string>(['/tmp', '/var', '/var/tmp', '/usr', '/etc', '/proc', '/dev']);
  const readOnly = [...new Set(layout.readOnlyPaths)].sort((a, b) => a.length - b.length);
  for (const path of readOnly) args.push(...parents(path, made), '--ro-bind-try', path, path);
  if (layout.runDirectory) args.push(...parents(SANDBOX_RUN_DIRECTORY, made), '--ro-bind', layout.runDirectory, SANDBOX_RUN_DIRECTORY);
  for (const path of [layout.workspacePath, layout.homePath]) args.push(...parents(path, made), '--bind', path, path);
  if (!layout.dropsToOwnUid) args.push('--unshare-user', '--disable-userns');
  args.push('--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try');
  if (layout.unshareNetwork) args.push('--unshare-net');
  args.push('--hostname', 'sandbox', '--cap-drop', 'ALL');
  if (layout.dropsToOwnUid) args.push('--cap-add', 'CAP_SETUID', '--cap-add', 'CAP_SETGID', '--cap-add', 'CAP_SETPCAP');
  args.push('--die-with-parent', '--new-session', '--chdir', layout.cwd);
  return args;
}

/**
 * The first program inside the sandbox when bwrap runs as root: switches to the sandbox's uid
 * and gid, drops supplementary groups, every capability (bounding and inheritable sets too)
 * and sets no_new_privs, then execs the command.
 */
export function privilegeDrop(setprivPath: string, owner: { uid: number; gid: number }): string[] {
  return [
    setprivPath,
    `--reuid=${owner.uid}`,
    `--regid=${owner.gid}`,
    '--clear-groups',
    '--inh-caps=-all',
    '--bounding-set=-all',
    '--no-new-privs',
    '--',
  ];
}
