import { ETC_ENTRIES, MERGED_USR_SYMLINKS } from './system-paths.js';

export interface BwrapLayout {
  /** Host directory bound read-write at the same path; processes start here by default. */
  workspacePath: string;
  /** Host directory bound read-write at the same path (`HOME`). */
  homePath: string;
  /** Host paths bound read-only at the same paths (already absolute and canonical). */
  readOnlyPaths: readonly string[];
  /** Absolute working directory inside the sandbox (the workspace or below it). */
  cwd: string;
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
  for (const entry of ETC_ENTRIES) args.push('--ro-bind-try', entry, entry);
  args.push('--proc', '/proc', '--dev', '/dev', '--tmpfs', '/tmp', '--dir', '/var/tmp');
  const readOnly = [...new Set(layout.readOnlyPaths)].sort((a, b) => a.length - b.length);
  for (const path of readOnly) args.push('--ro-bind-try', path, path);
  args.push('--bind', layout.workspacePath, layout.workspacePath, '--bind', layout.homePath, layout.homePath);
  args.push(
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--hostname',
    'sandbox',
    '--cap-drop',
    'ALL',
    '--die-with-parent',
    '--new-session',
    '--chdir',
    layout.cwd,
  );
  return args;
}
