import type { Sandbox, SandboxCreateOptions, SandboxProvider } from '@agent-runtime/core';

/** Names of the checks a provider may skip (each skip shows up as a skipped test). */
export const SANDBOX_CONTRACT_CHECKS = [
  'streaming',
  'large-output',
  'stdin',
  'exit-codes',
  'kill',
  'exec-timeout',
  'abort',
  'sandbox-timeout',
  'env',
  'cwd',
  'files',
  'home',
  'path-traversal',
  'symlink-escape',
  'watch',
  'terminate',
  'isolation',
  'attach',
  'list',
] as const;

export type SandboxContractCheck = (typeof SANDBOX_CONTRACT_CHECKS)[number];

export interface SandboxContractOptions {
  /** Checks this provider cannot do; they are reported as skipped, never silently dropped. */
  skip?: SandboxContractCheck[];
  /** Merged into every `create` (e.g. an `image` for Modal). `sessionId` is set by the suite. */
  createOptions?: Partial<Omit<SandboxCreateOptions, 'sessionId'>>;
  /** Per-test timeout. Default 60 s. */
  testTimeoutMs?: number;
  /** How long to wait for change-feed events. Default 20 s (no timing is asserted). */
  eventWaitMs?: number;
  /** Called once after the suite (close a fake server, remove a temp dir). */
  cleanup?(): Promise<void> | void;
}

/** Makes the provider under test; called once for the whole suite. */
export type SandboxProviderFactory = () => SandboxProvider | Promise<SandboxProvider>;

/** What each group of tests gets. */
export interface SandboxContractContext {
  provider(): SandboxProvider;
  /** Creates a sandbox with a fresh session id; it is terminated after the test. */
  create(options?: Partial<SandboxCreateOptions>): Promise<Sandbox>;
  skips(check: SandboxContractCheck): boolean;
  settings: { testTimeoutMs: number; eventWaitMs: number };
}
