import { readFileSync } from 'node:fs';

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .split(' ')
      .filter((text) => text.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Host pid of bwrap's pid-namespace init (the child of the outer bwrap), once it exists. */
export function sandboxInitPid(bwrapPid: number): number | undefined {
  return childrenOf(bwrapPid)[0];
}

/**
 * Host pid of the command bwrap started: bwrap (host) -> bwrap (pid 1 of the new pid namespace)
 * -> command. `undefined` before the command has started or after it has exited.
 */
export function sandboxedCommandPid(bwrapPid: number): number | undefined {
  const init = childrenOf(bwrapPid)[0];
  if (init === undefined) return undefined;
  return childrenOf(init)[0];
}
