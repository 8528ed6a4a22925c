import type {
  AgentArchitecture,
  ApprovalRequestStore,
  Logger,
  PersistenceAdapter,
  SandboxProvider,
  SessionListData,
  TurnQueueStore,
} from '@agent-runtime/core';
import type { Clock } from './clock.js';
import type { SessionEventBus } from './event-bus.js';
import type { SecretRedactor } from './secret-redactor.js';
import type { SessionEngineSettings } from './settings.js';

/** What every `AgentSession` is given by the manager. */
export interface AgentSessionDependencies {
  persistence: PersistenceAdapter;
  sandboxProvider: SandboxProvider;
  architecture: AgentArchitecture;
  bus: SessionEventBus;
  turnQueueStore: TurnQueueStore;
  approvalRequestStore: ApprovalRequestStore;
  redactor: SecretRedactor;
  clock: Clock;
  logger: Logger;
  settings: SessionEngineSettings;
  /** Called whenever the session record changed (the manager announces `sessions:list`). */
  onRecordChanged(record: SessionListData): void;
  /** Run `work` only while this node owns the session (cluster mode: fenced by its lease; one node: at once). */
  whileOwner<T>(sessionId: string, work: () => Promise<T>): Promise<T>;
}
