import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The bwrap binary to use, or `null` when there is none. An explicit path is never second-guessed. */
export async function findBwrap(explicitPath: string | undefined): Promise<string | null> {
  if (explicitPath !== undefined) return (await isExecutable(explicitPath)) ? explicitPath : null;
  const directories = (process.env.PATH ?? '').split(delimiter).filter((directory) => directory.startsWith('/'));
  for (const candidate of [...directories.map((directory) => join(directory, 'bwrap')), '/usr/bin/bwrap']) {
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}
