import type { SandboxLimits } from '@agent-runtime/core';

/** Engine knobs; the umbrella fills them from `RuntimeConfig`. */
export interface SessionEngineSettings {
  /** Stop a sandbox after this long without a running turn. */
  idleTimeoutMs: number;
  /** Sync transcripts and files at least this often while a turn runs. */
  syncIntervalMs: number;
  /** Send `session:idle:warning` this long before the idle stop (default: min(60 s, idle / 4)). */
  idleWarningMs?: number;
  /** Limits for every sandbox. */
  sandboxLimits?: SandboxLimits;
  /** Files larger than this are not mirrored (default 10 MiB). */
  maxMirroredFileBytes?: number;
  /** Delay before syncing after the agent reports a transcript change (default 250 ms). */
  transcriptSyncDelayMs?: number;
  /**
   * Stop a turn that runs longer than this; it ends with outcome `timeout`. Default
   * `DEFAULT_TURN_TIMEOUT_MS` (30 min), so a hung agent or sandbox never holds a session for good.
   */
  turnTimeoutMs?: number;
  /** Client message ids remembered per session for idempotent retries (default 1000). */
  rememberedMessageIds?: number;
  /** Accepted messages that may wait behind a session's running turn; more get TOO_MANY_QUEUED_MESSAGES (429). Default 20. */
  maxQueuedMessages?: number;
}

export const DEFAULT_MAX_QUEUED_MESSAGES = 20;

/** A turn running longer than this ends with outcome `timeout` unless `turnTimeoutMs` says otherwise. */
export const DEFAULT_TURN_TIMEOUT_MS = 30 * 60 * 1000;

export const DEFAULT_MAX_MIRRORED_FILE_BYTES = 10 * 1024 * 1024;
