import { spawn } from 'node:child_process';
import { bwrapBrokenError } from '../errors.js';
import { MERGED_USR_SYMLINKS, SANDBOX_PATH } from './system-paths.js';

/** Runs `true` in a minimal bwrap sandbox; rejects with `SANDBOX_UNAVAILABLE` when bwrap cannot work here. */
export function probeBwrap(bwrapPath: string): Promise<void> {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const [target, link] of MERGED_USR_SYMLINKS) args.push('--symlink', target, link);
  args.push('--proc', '/proc', '--dev', '/dev', '--unshare-pid', '--cap-drop', 'ALL', '--die-with-parent', '--', 'true');
  return new Promise((resolve, reject) => {
    const child = spawn(bwrapPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: SANDBOX_PATH } });
    let output = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    child.on('error', (error) => reject(bwrapBrokenError(bwrapPath, error.message)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(bwrapBrokenError(bwrapPath, output))));
  });
}
