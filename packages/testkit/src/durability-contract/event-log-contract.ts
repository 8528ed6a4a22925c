import type { SessionEventLog } from '@agent-runtime/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deltaEvents, newSessionId } from './event-fixtures.js';
import type { DurabilityContractOptions, DurabilityContractSubject, EventLogContractFactory } from './subject.js';

const seqsOf = (events: readonly { seq: number }[]) => events.map((event) => event.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

/**
 * The behaviour every `SessionEventLog` must have, as one vitest suite: numbering from 1 per
 * session, read after seq with limit, trim and its bounds, discard, forget, concurrent appends to
 * one session, and — when the factory gives `reopen` — seqs that keep rising across a restart.
 *
 * @example
 * eventLogContract('sqlite', async () => {
 *   let adapter = createSqlitePersistence({ filename });
 *   return {
 *     store: adapter.sessionEventLog(),
 *     reopen: async () => { await adapter.close(); adapter = createSqlitePersistence({ filename }); return adapter.sessionEventLog(); },
 *     cleanup: () => adapter.close(),
 *   };
 * });
 */
export function eventLogContract(name: string, makeLog: EventLogContractFactory, options: DurabilityContractOptions = {}): void {
  const concurrency = options.concurrency ?? 20;
  describe(`eventLogContract: ${name}`, () => {
    let current: DurabilityContractSubject<SessionEventLog> | undefined;
    let log: SessionEventLog;
    beforeEach(async () => {
      current = await makeLog();
      log = current.store;
    });
    afterEach(async () => {
      const finished = current;
      current = undefined;
      await finished?.cleanup?.();
    });
    const restart = async () => {
      log = await current!.reopen!();
    };

    it('numbers events from 1 per session, in the order given, and reads them back exactly', async () => {
      const first = newSessionId();
      const second = newSessionId();
      expect(await log.bounds(first)).toEqual({ oldestSeq: 1, latestSeq: 0 });
      const appended = await log.append(first, deltaEvents(first, 3));
      expect(appended).toEqual(deltaEvents(first, 3).map((event, index) => ({ sessionId: first, seq: index + 1, event })));
      expect(seqsOf(await log.append(first, deltaEvents(first, 2, 4)))).toEqual([4, 5]);
      expect(seqsOf(await log.append(second, deltaEvents(second, 1)))).toEqual([1]);
      expect(await log.read(first, 0)).toEqual([...deltaEvents(first, 5)].map((event, index) => ({ sessionId: first, seq: index + 1, event })));
      expect(await log.bounds(first)).toEqual({ oldestSeq: 1, latestSeq: 5 });
      expect(await log.bounds(second)).toEqual({ oldestSeq: 1, latestSeq: 1 });
    });

    it('appends an empty batch as nothing', async () => {
      const sessionId = newSessionId();
      expect(await log.append(sessionId, [])).toEqual([]);
      await log.append(sessionId, deltaEvents(sessionId, 1));
      expect(await log.append(sessionId, [])).toEqual([]);
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 1, latestSeq: 1 });
    });

    it('reads after a seq, ascending, at most limit', async () => {
      const sessionId = newSessionId();
      await log.append(sessionId, deltaEvents(sessionId, 10));
      expect(seqsOf(await log.read(sessionId, 4))).toEqual(range(5, 10));
      expect(seqsOf(await log.read(sessionId, 4, 3))).toEqual([5, 6, 7]);
      expect(seqsOf(await log.read(sessionId, 0, 1))).toEqual([1]);
      expect(await log.read(sessionId, 10)).toEqual([]);
      expect(await log.read(sessionId, 99)).toEqual([]);
      expect(await log.read(newSessionId(), 0)).toEqual([]);
    });

    it('trims up to a seq: bounds move, latestSeq stays, numbering goes on', async () => {
      const sessionId = newSessionId();
      await log.append(sessionId, deltaEvents(sessionId, 10));
      await log.trim(sessionId, 4);
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 5, latestSeq: 10 });
      expect(seqsOf(await log.read(sessionId, 0))).toEqual(range(5, 10));
      await log.trim(sessionId, 2);
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 5, latestSeq: 10 });
      await log.trim(sessionId, 10);
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 11, latestSeq: 10 });
      expect(await log.read(sessionId, 0)).toEqual([]);
      expect(seqsOf(await log.append(sessionId, deltaEvents(sessionId, 2, 11)))).toEqual([11, 12]);
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 11, latestSeq: 12 });
    });

    it('discards single events (when supported) without moving bounds or reusing their seqs', async (context) => {
      const sessionId = newSessionId();
      if (!log.discard) return context.skip();
      await log.append(sessionId, deltaEvents(sessionId, 6));
      await log.discard(sessionId, [2, 3, 5]);
      expect(seqsOf(await log.read(sessionId, 0))).toEqual([1, 4, 6]);
      expect(seqsOf(await log.read(sessionId, 1, 1))).toEqual([4]);
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 1, latestSeq: 6 });
      await log.discard(sessionId, [6]);
      expect(seqsOf(await log.append(sessionId, deltaEvents(sessionId, 1, 7)))).toEqual([7]);
    });

    it('forgets one session whole and leaves the others', async () => {
      const gone = newSessionId();
      const kept = newSessionId();
      await log.append(gone, deltaEvents(gone, 3));
      await log.append(kept, deltaEvents(kept, 2));
      await log.forget(gone);
      expect(await log.read(gone, 0)).toEqual([]);
      expect(await log.bounds(gone)).toEqual({ oldestSeq: 1, latestSeq: 0 });
      expect(seqsOf(await log.read(kept, 0))).toEqual([1, 2]);
      await log.forget(newSessionId());
    });

    it(`numbers ${concurrency} concurrent appends to one session without gaps, duplicates or interleaving`, async () => {
      const sessionId = newSessionId();
      const batches = await Promise.all(
        Array.from({ length: concurrency }, (_, index) => log.append(sessionId, deltaEvents(sessionId, 5, 1, `batch${index}-`))),
      );
      for (const batch of batches) {
        const first = batch[0]!.seq;
        expect(seqsOf(batch)).toEqual(range(first, first + 4));
      }
      expect(batches.flatMap(seqsOf).sort((a, b) => a - b)).toEqual(range(1, concurrency * 5));
      const stored = await log.read(sessionId, 0);
      expect(stored).toEqual(batches.flat().sort((a, b) => a.seq - b.seq));
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 1, latestSeq: concurrency * 5 });
    });

    it('keeps events and keeps numbering upward across a restart, also after trim, discard and trimming everything', async (context) => {
      if (!current?.reopen) return context.skip();
      const sessionId = newSessionId();
      const other = newSessionId();
      await log.append(sessionId, deltaEvents(sessionId, 5));
      await log.append(other, deltaEvents(other, 2));
      await restart();
      expect(await log.read(sessionId, 0)).toEqual(deltaEvents(sessionId, 5).map((event, index) => ({ sessionId, seq: index + 1, event })));
      expect(seqsOf(await log.append(sessionId, deltaEvents(sessionId, 1, 6)))).toEqual([6]);
      await log.trim(sessionId, 6);
      await log.discard?.(other, [2]);
      await restart();
      expect(await log.bounds(sessionId)).toEqual({ oldestSeq: 7, latestSeq: 6 });
      expect(seqsOf(await log.append(sessionId, deltaEvents(sessionId, 2, 7)))).toEqual([7, 8]);
      expect(seqsOf(await log.append(other, deltaEvents(other, 1, 3)))).toEqual([3]);
      expect(seqsOf(await log.read(other, 0))).toEqual(log.discard ? [1, 3] : [1, 2, 3]);
    });
  });
}
