import type {
  AgentArchitecture,
  ApprovalRequestStore,
  Logger,
  PersistenceAdapter,
  PersistenceExtensions,
  SandboxProvider,
  SessionEventLog,
  TurnQueueStore,
} from '@agent-runtime/core';
import type { Clock } from './clock.js';
import type { SessionEventBus } from './event-bus.js';
import type { SandboxPoolSizes } from './sandbox-pool.js';
import type { SessionCoordinator } from './session-coordinator.js';
import type { SessionEngineSettings } from './settings.js';

export interface SessionManagerOptions extends Partial<SessionEngineSettings> {
  /**
   * The nine-method adapter; when it also offers `sessionEventLog()`, `turnQueueStore()` or
   * `appendTranscript()` (see `PersistenceExtensions`), the engine uses them: seq, queued messages
   * and `clientMessageId`s then survive a restart.
   */
  persistence: PersistenceAdapter & PersistenceExtensions;
  sandboxProvider: SandboxProvider;
  /** One per architecture type the runtime serves. */
  architectures: AgentArchitecture[];
  logger?: Logger;
  /** Share a bus (e.g. with a transport created earlier); a new one over `eventLog` by default. */
  events?: SessionEventBus;
  /** Where events get their seq: default the adapter's `sessionEventLog()`, else in memory. */
  eventLog?: SessionEventLog;
  /** Where accepted messages wait: default the adapter's `turnQueueStore()`, else in memory. */
  turnQueueStore?: TurnQueueStore;
  /** Where permission requests and questions wait: default the adapter's `approvalRequestStore()`, else in memory. */
  approvalRequestStore?: ApprovalRequestStore;
  /**
   * Known secret values (model API keys the runtime holds): replaced by `[REDACTED]` in blocks
   * before they are published and in transcripts before they are stored.
   */
  secretValues?: readonly string[];
  /** Time source for every engine timer (tests pass a fake one). */
  clock?: Clock;
  /** Start a sandbox as soon as a session is created (default true). */
  warmSandboxOnCreate?: boolean;
  /**
   * Spare sandboxes kept ready per architecture (see `SandboxPool`); a new session takes one
   * instead of waiting for a sandbox to be created. With `agentProcess` (default true) such a
   * session also starts its agent process at once. Off by default.
   */
  warmPool?: { sizes: SandboxPoolSizes; agentProcess?: boolean };
  /**
   * Cluster mode: which node runs which session (see `SessionCoordinator`). Absent: this node
   * runs every session (the single-node default).
   */
  coordinator?: SessionCoordinator;
}

/** The settings every session of the manager runs with: the options, with the defaults filled in. */
export function engineSettings(options: SessionManagerOptions): SessionEngineSettings {
  return {
    idleTimeoutMs: options.idleTimeoutMs ?? 15 * 60 * 1000,
    syncIntervalMs: options.syncIntervalMs ?? 30 * 1000,
    ...(options.idleWarningMs === undefined ? {} : { idleWarningMs: options.idleWarningMs }),
    ...(options.sandboxLimits === undefined ? {} : { sandboxLimits: options.sandboxLimits }),
    ...(options.maxMirroredFileBytes === undefined ? {} : { maxMirroredFileBytes: options.maxMirroredFileBytes }),
    ...(options.transcriptSyncDelayMs === undefined ? {} : { transcriptSyncDelayMs: options.transcriptSyncDelayMs }),
    ...(options.rememberedMessageIds === undefined ? {} : { rememberedMessageIds: options.rememberedMessageIds }),
    ...(options.turnTimeoutMs === undefined ? {} : { turnTimeoutMs: options.turnTimeoutMs }),
    ...(options.maxQueuedMessages === undefined ? {} : { maxQueuedMessages: options.maxQueuedMessages }),
    ...(options.coordinator ? { sandboxLabels: options.coordinator.sandboxLabels } : {}),
  };
}
