import type { AgentRuntimeError } from '../errors/agent-runtime-error.js';
import type { SandboxModelEndpoint, SandboxModelUpstream } from './sandbox-network.js';

/**
 * Where agents run. A provider creates one sandbox per session; the runtime drives the agent CLI
 * through `exec` and mirrors the workspace through the file methods and the change feed.
 *
 * Optional features are optional methods: a provider without `attach` simply lacks it, and
 * callers that need it throw `UNSUPPORTED_OPERATION` (see `requireSandboxFeature`).
 * Factories are synchronous and do no I/O; I/O starts in `create`/`attach`.
 */
export interface SandboxProvider {
  /** Short name for logs and errors, e.g. `local`, `modal`. */
  readonly name: string;

  /** Start a sandbox for a session. Resolves once `exec` can be called. */
  create(options: SandboxCreateOptions): Promise<Sandbox>;

  /** Reconnect to a running sandbox by id (e.g. after a runtime restart). */
  attach?(sandboxId: string): Promise<Sandbox>;

  /** Sandboxes this provider knows of with all the given labels (to reap orphans after a crash). */
  list?(labels?: Record<string, string>): Promise<SandboxInfo[]>;
}

export interface SandboxCreateOptions {
  /** The session the sandbox serves; providers label the sandbox with it. */
  sessionId: string;
  /** Image or template name; provider-specific. */
  image?: string;
  /** Environment for every process in the sandbox (merged under each `exec`'s own env). */
  env?: Record<string, string>;
  limits?: SandboxLimits;
  /** Extra labels (Modal tags); `sessionId` is always added. */
  labels?: Record<string, string>;
  /**
   * Host paths to expose read-only at the same absolute path (e.g. an installed agent CLI).
   * Providers whose sandboxes run elsewhere ignore them: their image must carry the tools.
   */
  readOnlyPaths?: string[];
  /**
   * Optional: called with human-readable progress while `create` waits (an image build, the
   * sandbox being scheduled), so the caller can show it, e.g. in the session's status message.
   * Providers whose `create` is quick (local) never call it. It must not throw.
   */
  onProgress?: (message: string) => void;
}

export interface SandboxLimits {
  cpuCount?: number;
  memoryMiB?: number;
  /** Most processes (and threads) alive at once in the sandbox (where the provider supports it). */
  maxProcesses?: number;
  /** Largest file a process in the sandbox may write, in MiB (where the provider supports it). */
  maxFileSizeMiB?: number;
  /**
   * Total disk space of the workspace's files, in MiB (where the provider supports it). Above it
   * the sandbox's processes are stopped and the runtime's writes refused (`LIMIT_EXCEEDED`,
   * `details.limit: 'workspaceMiB'`) until it shrinks.
   */
  workspaceMiB?: number;
  /** Wall-clock lifetime of the sandbox; it is terminated when it ends. */
  timeoutMs?: number;
  /** Terminate after this long with no running process (where the provider supports it). */
  idleTimeoutMs?: number;
}

export interface SandboxInfo {
  id: string;
  sessionId?: string;
  labels: Record<string, string>;
  running: boolean;
}

/** Which directory a relative sandbox path is resolved against. */
export type SandboxRoot = 'workspace' | 'home';

export interface SandboxFileOptions {
  /** Defaults to `'workspace'`. `'home'` is the agent's private home (CLI config, transcripts). */
  root?: SandboxRoot;
}

export interface SandboxReadFileOptions extends SandboxFileOptions {
  /**
   * Refuse files larger than this with `PAYLOAD_TOO_LARGE` (details: `size`, `maxBytes`). The
   * size is checked before reading, and the read stops at the cap even if the file grows
   * meanwhile, so a huge (or sparse) file never reaches memory.
   */
  maxBytes?: number;
}

export interface SandboxFileInfo {
  /** Relative to the root, `/`-separated. */
  path: string;
  size: number;
  /** Epoch milliseconds. */
  modifiedAt: number;
}

/** One file of `Sandbox.writeFiles`. */
export interface SandboxFileWrite extends SandboxFileOptions {
  path: string;
  content: string | Uint8Array;
}

export interface SandboxListOptions extends SandboxFileOptions {
  /** Only entries under this relative directory. */
  directory?: string;
  /** Descend into subdirectories (default true). */
  recursive?: boolean;
}

/** A running sandbox. Paths given to its file methods are relative and never leave their root. */
export interface Sandbox {
  readonly id: string;
  readonly sessionId: string;
  /** Name of the provider that made it. */
  readonly provider: string;
  /** Absolute path of the workspace as processes inside the sandbox see it (their default cwd). */
  readonly workspacePath: string;
  /** Absolute path of the agent's home directory inside the sandbox (`HOME`). */
  readonly homePath: string;

  /** Start a process. Resolves once it has started; its output streams until it exits. */
  exec(command: string[], options?: SandboxExecOptions): Promise<SandboxProcess>;

  /** Read a file; rejects with `FILE_NOT_FOUND` when it does not exist. */
  readFile(path: string, options?: SandboxReadFileOptions): Promise<Uint8Array>;
  /**
   * Optional: read at most `length` bytes of a file from byte `offset` (fewer at its end; empty
   * past it), so a caller can read only what a growing file (a transcript) gained. Rejects like
   * `readFile`. Callers fall back to `readFile` when a sandbox lacks it.
   */
  readFileRange?(path: string, offset: number, length: number, options?: SandboxFileOptions): Promise<Uint8Array>;
  /** Create or replace a file, creating parent directories. */
  writeFile(path: string, content: string | Uint8Array, options?: SandboxFileOptions): Promise<void>;
  /**
   * Create or replace many files at once, with `writeFile`'s semantics for each; all are tried and
   * the first failure is thrown. Optional: providers where each call is a round trip (Modal) offer
   * it so a workspace restore costs one call instead of one per file.
   */
  writeFiles?(files: readonly SandboxFileWrite[]): Promise<void>;
  /** Files (not directories) under the root, recursively by default. */
  listFiles(options?: SandboxListOptions): Promise<SandboxFileInfo[]>;
  /** Delete a file; deleting a missing file is not an error. */
  deleteFile(path: string, options?: SandboxFileOptions): Promise<void>;

  /**
   * Subscribe to workspace changes. The feed reports files created, modified and deleted by any
   * process; content is fetched with `readFile`. Call `close()` on the result to stop.
   */
  watch?(listener: (change: WorkspaceChange) => void): Promise<SandboxWatcher>;

  /**
   * Route an agent's model API through the sandbox's egress proxy: the proxy adds the real
   * credentials, the sandbox gets a base URL and a token (see `SandboxModelEndpoint`). Providers
   * whose sandboxes have no such proxy lack this method; agents then pass their endpoint directly.
   */
  modelEndpoint?(upstream: SandboxModelUpstream): Promise<SandboxModelEndpoint>;

  /**
   * Hosts (patterns as in a profile's `network.allowedHosts`) that processes may reach through
   * the egress proxy; replaces the previous list. Model endpoints are always reachable.
   */
  allowNetworkHosts?(hosts: readonly string[]): Promise<void>;

  /**
   * Set these labels (Modal: tags) on the running sandbox, merged over the ones it has; the
   * provider's own labels (session, deployment) stay. Used when another runtime node takes over a
   * sandbox (cluster failover) to record its new owner. Optional: providers that cannot change
   * labels after `create` lack it.
   */
  updateLabels?(labels: Record<string, string>): Promise<void>;

  /**
   * Stop every process in the sandbox that was not started through this handle — what an earlier
   * host (a runtime node that died) left running, e.g. an agent CLI with nobody reading it — and
   * resolve once they are gone, with how many there were. Offered by providers whose sandboxes
   * outlive the runtime that drove them (Modal); the engine reattaches to a lost node's sandbox
   * only when it can call this, so two agent processes never work in one workspace.
   */
  stopLeftoverProcesses?(): Promise<number>;

  /** False once the sandbox has stopped for any reason (terminated, timed out, crashed). */
  isRunning(): Promise<boolean>;

  /** Stop every process and free the sandbox. Idempotent. */
  terminate(): Promise<void>;
}

export interface SandboxExecOptions {
  /** Working directory relative to the workspace; the workspace itself by default. */
  cwd?: string;
  env?: Record<string, string>;
  /** `'pipe'` gives a writable `stdin`; `'ignore'` (default) connects it to nothing. */
  stdin?: 'pipe' | 'ignore';
  /** Kill the process after this long. */
  timeoutMs?: number;
  /** Kill the process when aborted. */
  signal?: AbortSignal;
}

export interface SandboxProcess {
  /** Present when started with `stdin: 'pipe'`. */
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  /** Resolves with the exit code once the process has exited (128 + n when killed by signal n). */
  wait(): Promise<number>;
  /** Ask the process to stop (`SIGTERM` by default; `SIGKILL` after a grace period). */
  kill(signal?: 'SIGTERM' | 'SIGKILL' | 'SIGINT'): void;
  /**
   * Set (before `wait()` resolves) when the sandbox itself stopped the process because a limit
   * was reached, e.g. `LIMIT_EXCEEDED` with `details.limit: 'workspaceMiB'`: the reason a turn
   * that ran in it failed. Optional: providers that never stop processes on their own omit it.
   */
  readonly stopError?: AgentRuntimeError;
}

export type WorkspaceChangeKind = 'created' | 'modified' | 'deleted';

export interface WorkspaceChange {
  kind: WorkspaceChangeKind;
  /** Relative to the workspace. */
  path: string;
}

export interface SandboxWatcher {
  close(): Promise<void>;
}
