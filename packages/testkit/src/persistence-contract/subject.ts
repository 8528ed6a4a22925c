import type { AgentProfile, PersistenceAdapter } from '@agent-runtime/core';

/**
 * What a `persistenceContract` factory returns: a fresh, empty store, a way to put agent profiles
 * in it (the `PersistenceAdapter` interface has no method for that), and an optional cleanup.
 */
export interface PersistenceContractSubject {
  adapter: PersistenceAdapter;
  /** Upserts the given profiles by id; invalid profiles reject with `INVALID_INPUT`. */
  seedProfiles(profiles: AgentProfile[]): Promise<void>;
  /** Called after each test: close connections, drop the schema, remove the file. */
  cleanup?(): Promise<void>;
}

/** Makes a fresh, empty store. Called once per test. */
export type PersistenceContractFactory = () => Promise<PersistenceContractSubject>;

export interface PersistenceContractOptions {
  /** Size in bytes of the "large transcript" test. Default 10 MB. */
  largeTranscriptBytes?: number;
  /** Concurrent sessions in the concurrency test. Default 50. */
  concurrentSessions?: number;
}
