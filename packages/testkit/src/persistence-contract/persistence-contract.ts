import { afterEach, beforeEach, describe } from 'vitest';
import { appendTranscriptTests } from './append-transcript-tests.js';
import { profileTests } from './profile-tests.js';
import { sessionTests } from './session-tests.js';
import type { PersistenceContractFactory, PersistenceContractOptions, PersistenceContractSubject } from './subject.js';
import { transcriptTests } from './transcript-tests.js';
import { workspaceFileTests } from './workspace-file-tests.js';

/**
 * The behaviour every `PersistenceAdapter` must have, as one vitest suite. `makeAdapter` is called
 * before each test and must return an empty store; `cleanup` runs after it.
 *
 * Decisions the suite pins (adapters document them too):
 * - loads of unknown ids resolve `null`; `updateSessionRecord`, `saveTranscript` and
 *   `saveWorkspaceFile` on an unknown session reject with `SESSION_NOT_FOUND`;
 *   `deleteSessionFile` never fails for a missing file or session.
 * - `createSessionRecord` on an existing id is an upsert of the record; transcripts and files stay.
 * - `updateSessionRecord` merges present fields (undefined ones are ignored, `metadata` is replaced
 *   whole, `sessionId` never changes).
 * - workspace paths are validated (`PATH_REFUSED`) and stored normalised; no Unicode normalisation.
 *
 * @example
 * persistenceContract('memory', async () => {
 *   const adapter = createMemoryPersistence();
 *   return { adapter, seedProfiles: (profiles) => adapter.seedProfiles(profiles) };
 * });
 */
export function persistenceContract(
  name: string,
  makeAdapter: PersistenceContractFactory,
  options: PersistenceContractOptions = {},
): void {
  const settings: Required<PersistenceContractOptions> = {
    largeTranscriptBytes: options.largeTranscriptBytes ?? 10 * 1024 * 1024,
    concurrentSessions: options.concurrentSessions ?? 50,
  };
  describe(`persistenceContract: ${name}`, () => {
    let current: PersistenceContractSubject | undefined;
    const subject = (): PersistenceContractSubject => {
      if (!current) throw new Error('persistenceContract: makeAdapter() has not resolved');
      return current;
    };
    beforeEach(async () => {
      current = await makeAdapter();
    });
    afterEach(async () => {
      const finished = current;
      current = undefined;
      await finished?.cleanup?.();
    });

    describe('sessions', () => sessionTests(subject, settings));
    describe('transcripts', () => transcriptTests(subject, settings));
    describe('appendTranscript (when the adapter has it)', () => appendTranscriptTests(subject, settings));
    describe('workspace files', () => workspaceFileTests(subject));
    describe('agent profiles', () => profileTests(subject));
  });
}
