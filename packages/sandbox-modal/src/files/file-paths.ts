import { normalizeWorkspacePath, pathRefusedError, workspacePathProblem } from '@agent-runtime/core';

/** The normalised relative path, or a `PATH_REFUSED` error for an unsafe one. */
export function checkedPath(path: string): string {
  const problem = workspacePathProblem(path);
  if (problem !== null) throw pathRefusedError(String(path), problem);
  return normalizeWorkspacePath(path) as string;
}

/** Parses `LIST_SCRIPT` output (`path NUL size NUL mtime NUL`...). */
export function parseFileList(output: Uint8Array, prefix: string): { path: string; size: number; modifiedAt: number }[] {
  const fields = new TextDecoder().decode(output).split('\0');
  const files: { path: string; size: number; modifiedAt: number }[] = [];
  for (let index = 0; index + 2 < fields.length; index += 3) {
    const relative = fields[index] as string;
    if (relative === '') continue;
    files.push({
      path: prefix === '' ? relative : `${prefix}/${relative}`,
      size: Number(fields[index + 1]),
      modifiedAt: Math.round(Number(fields[index + 2]) * 1000),
    });
  }
  return files;
}
