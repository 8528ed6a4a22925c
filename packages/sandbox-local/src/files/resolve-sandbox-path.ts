import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
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
 * Resolves the directory that contains `relativePath` to its real host path and checks that it
 * is inside `root` (a process in the sandbox may have replaced a directory with a symlink).
 * With `create`, missing directories are created first. Returns `null` when it does not exist.
 */
export async function resolveParent(root: string, relativePath: string, create: boolean): Promise<string | null> {
  const parent = dirname(join(root, relativePath));
  if (create) {
    // Create below the deepest existing ancestor only after that ancestor is known to be inside.
    let existing = parent;
    for (;;) {
      try {
        await lstat(existing);
        break;
      } catch (error) {
        if (!isMissing(error)) throw error;
        existing = dirname(existing);
      }
    }
    const realExisting = await realpath(existing).catch(() => null);
    if (realExisting === null || !isInside(root, realExisting)) throw pathRefusedError(relativePath, 'it leads outside the sandbox');
    await mkdir(parent, { recursive: true });
  }
  let realParent: string;
  try {
    realParent = await realpath(parent);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
  if (!isInside(root, realParent)) throw pathRefusedError(relativePath, 'it leads outside the sandbox');
  return realParent;
}

/** Throws `PATH_REFUSED` unless the open file descriptor `fd` names a file inside `root`. */
export async function checkOpenedInside(root: string, fd: number, relativePath: string): Promise<void> {
  const opened = await readlink(`/proc/self/fd/${fd}`);
  if (!isInside(root, opened)) throw pathRefusedError(relativePath, 'it leads outside the sandbox');
}
