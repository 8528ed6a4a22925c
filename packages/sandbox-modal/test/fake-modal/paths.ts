/**
 * Mapping between in-sandbox absolute paths and host paths. Each fake sandbox owns a host
 * directory `root` standing for its `/`: `/workspace/a.txt` <-> `<root>/workspace/a.txt`.
 * `..` cannot climb above the root (normalised away first). Symlinks are not contained: this is
 * a test fake, not an isolation boundary.
 */
import path from 'node:path';

/** Host path for an absolute in-sandbox path. */
export function toHostPath(root: string, sandboxPath: string): string {
  const normalised = path.posix.normalize(`/${sandboxPath}`);
  return normalised === '/' ? root : path.join(root, normalised);
}

/** In-sandbox absolute path for a host path under `root`. */
export function toSandboxPath(root: string, hostPath: string): string {
  const relative = path.relative(root, hostPath);
  if (relative === '') return '/';
  return `/${relative.split(path.sep).join('/')}`;
}
