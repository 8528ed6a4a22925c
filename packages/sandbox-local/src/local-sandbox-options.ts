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
   * `'none'` (default): every process gets its own network namespace with nothing but loopback;
   * the only way out is the sandbox's egress proxy (model endpoints registered with
   * `sandbox.modelEndpoint`, plus hosts allowed with `sandbox.allowNetworkHosts`).
   * `'shared'`: processes use the host's network: they can reach the internet AND everything on
   * the host's 127.0.0.1 (the runtime's port, databases). A loud opt-in: a warning on every create.
   */
  network?: 'none' | 'shared';
  /**
   * Host uids for sandboxes when the runtime runs as root: each sandbox gets its own uid (and
   * gid) from `[first, first + count)`, so its processes are not root on the host and its
   * process limit is its own. Default `{ first: 200000, count: 100000 }`. A non-root runtime
   * runs sandboxes as its own uid (in a user namespace).
   */
  sandboxUids?: { first: number; count: number };
  /** Defaults for every sandbox, overridden by `create({ limits })`. See the README's Limits. */
  defaultLimits?: {
    maxProcesses?: number;
    memoryMiB?: number;
    maxFileSizeMiB?: number;
    /** Total allocated size of a workspace's files. Default 2048 MiB. */
    workspaceMiB?: number;
    openFiles?: number;
    tmpMiB?: number;
  };
  /** How long `kill('SIGTERM')` waits before sending `SIGKILL`. Default 5000 ms. */
  killGraceMs?: number;
  /** Quiet period before buffered file-system events are reported by `watch`. Default 75 ms. */
  watchDebounceMs?: number;
}
