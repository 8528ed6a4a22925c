/**
 * Workspace paths are always relative, use `/` separators, and never leave the workspace.
 * Paths come from agents and clients; neither is trusted.
 */

const MAX_PATH_LENGTH = 4096;

/** Why a path was refused, or `null` when it is a valid relative workspace path. */
export function workspacePathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'path is empty';
  if (path.length > MAX_PATH_LENGTH) return `path is longer than ${MAX_PATH_LENGTH} characters`;
  if (path.includes('\0')) return 'path contains a NUL byte';
  if (path.includes('\\')) return 'path contains a backslash';
  if (path.startsWith('/')) return 'path is absolute';
  if (/^[A-Za-z]:/.test(path)) return 'path has a drive letter';
  const segments = path.split('/');
  if (segments.some((segment) => segment === '..')) return 'path contains ".."';
  if (segments.every((segment) => segment === '' || segment === '.')) return 'path names no file';
  return null;
}

/** True when `path` is a safe relative workspace path. */
export function isSafeWorkspacePath(path: string): boolean {
  return workspacePathProblem(path) === null;
}

/** Normalises a safe path (`./a//b/` -> `a/b`); returns `null` for an unsafe one. */
export function normalizeWorkspacePath(path: string): string | null {
  if (workspacePathProblem(path) !== null) return null;
  return path
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}
