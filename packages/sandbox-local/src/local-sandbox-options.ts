import type { Logger } from '@agent-runtime/core';

/** Options of `createLocalSandboxProvider`. */
export interface LocalSandboxProviderOptions {
  /**
   * The runtime's data directory. Sandboxes live in `<dataDir>/sandboxes/<sandboxId>/`
   * (`workspace/`, `home/`, `meta.json`); nothing else of it is visible inside a sandbox.
   */
  dataDir: string;
  /** Path of the `bwrap` binary. Default: the first `bwrap` on `PATH`, then `/usr/bin/bwrap`. */
  bwrapPath?: string;
  /**
   * Run processes WITHOUT bubblewrap: no isolation at all, a process can read and write anything
   * the runtime can. An explicit opt-in for machines without bwrap; a warning is logged on every
   * sandbox start.
   */
  unisolated?: boolean;
  logger?: Logger;
  /**
   * `'shared'` (the only mode): processes use the host's network namespace, because the agent
   * must reach its model API. They can therefore reach services on the host's 127.0.0.1 too.
   */
  network?: 'shared';
  /** How long `kill('SIGTERM')` waits before sending `SIGKILL`. Default 5000 ms. */
  killGraceMs?: number;
  /** Quiet period before buffered file-system events are reported by `watch`. Default 75 ms. */
  watchDebounceMs?: number;
}
