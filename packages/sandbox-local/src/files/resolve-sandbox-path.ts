import { mkdir, readlink, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { normalizeWorkspacePath, pathRefusedError, workspacePathProblem } from '@agent-runtime/core';

/** True when `path` is `root` or below it (both absolute and canonical). */
export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith('/') ? root : `${root}/`);
}

/** Checks a relative path from a caller and returns it normalised (`a/b`); throws `PATH_REFUSED`. */
export function checkedRelativePath(path: string): string {
  const problem = workspacePathProblem(path);
  const normalized = problem === null ? normalizeWorkspacePath(path) : null;
  if (problem !== null || normalized === null) throw pathRefusedError(String(path), problem ?? 'invalid path');
  return normalized;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * The real host path of `absolute` (below `root`), or `null` when it does not exist. Throws
 * `PATH_REFUSED` when it, or its deepest existing ancestor, resolves outside `root`: a missing
 * file behind a symlink that leads out is refused, not reported missing.
 */
export async function realpathInside(root: string, absolute: string, relativePath: string): Promise<string | null> {
  let existing = absolute;
  let missing = false;
  for (;;) {
    try {
      const real = await realpath(existing);
      if (!isInside(root, real)) throw pathRefusedError(relativePath, 'it leads outside the sandbox');
      return missing ? null : real;
    } catch (error) {
      if (!isMissing(error)) throw error;
      missing = true;
      const up = dirname(existing);
      if (up === existing) return null;
      existing = up;
    }
  }
}

/**
 * Resolves the directory that contains `relativePath` to its real host path and checks that it
 * is inside `root` (a process in the sandbox may have replaced a directory with a symlink).
 * With `create`, missing directories are created first. Returns `null` when it does not exist.
 */
export async function resolveParent(root: string, relativePath: string, create: boolean): Promise<string | null> {
  const parent = dirname(join(root, relativePath));
  const real = await realpathInside(root, parent, relativePath);
  if (real !== null || !create) return real;
  // Every existing ancestor is inside: create the rest, then check again (a process may race us).
  try {
    await mkdir(parent, { recursive: true });
  } catch (error) {
    // A process swapped a directory on the way (for a symlink, a file, or removed it).
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EEXIST' || code === 'ELOOP') throw pathRefusedError(relativePath, 'its directory changed while it was being created');
    throw error;
  }
  const created = await realpathInside(root, parent, relativePath);
  if (created === null) throw pathRefusedError(relativePath, 'its directory could not be created');
  return created;
}

/** Throws `PATH_REFUSED` unless the open file descriptor `fd` names a file inside `root`. */
export async function checkOpenedInside(root: string, fd: number, relativePath: string): Promise<void> {
  const opened = await readlink(`/proc/self/fd/${fd}`);
  if (!isInside(root, opened)) throw pathRefusedError(relativePath, 'it leads outside the sandbox');
}
