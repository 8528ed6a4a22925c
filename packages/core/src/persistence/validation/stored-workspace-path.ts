import { pathRefusedError } from '../../errors/index.js';
import { normalizeWorkspacePath, workspacePathProblem } from '../../paths/index.js';

/**
 * The form a workspace path is stored under (`./a//b` -> `a/b`), or a `PATH_REFUSED` error for an
 * absolute path, `..`, a backslash, a NUL byte. No Unicode normalisation: NFC and NFD differ.
 */
export function storedWorkspacePath(path: string): string {
  const problem = workspacePathProblem(path);
  if (problem) throw pathRefusedError(String(path), problem);
  return normalizeWorkspacePath(path)!;
}
