import type { SessionEventLog, TurnQueueStore } from '@agent-runtime/core';

/**
 * What an `eventLogContract` / `turnQueueContract` factory returns: a fresh, empty store and,
 * for a durable one, `reopen` — close it and open it again over the same data (a restart).
 * Without `reopen` the restart tests are skipped (an in-memory implementation).
 */
export interface DurabilityContractSubject<Store> {
  store: Store;
  /** Closes the store and opens a new one over the same data; later tests use the new one. */
  reopen?(): Promise<Store>;
  /** Called after each test: close connections, drop the schema, remove the file. */
  cleanup?(): Promise<void>;
}

export type EventLogContractFactory = () => Promise<DurabilityContractSubject<SessionEventLog>>;
export type TurnQueueContractFactory = () => Promise<DurabilityContractSubject<TurnQueueStore>>;

export interface DurabilityContractOptions {
  /** Concurrent appenders / enqueuers to one session. Default 20. */
  concurrency?: number;
}
