import type { SendMessageRequest, TurnQueueStore } from '@agent-runtime/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSessionId } from './event-fixtures.js';
import type { DurabilityContractOptions, DurabilityContractSubject, TurnQueueContractFactory } from './subject.js';

const AT = '2026-01-01T00:00:00.000Z';
const message = (text: string, clientMessageId?: string): SendMessageRequest =>
  clientMessageId === undefined ? { content: text } : { content: text, clientMessageId };

/**
 * The behaviour every `TurnQueueStore` must have, as one vitest suite: rising positions,
 * idempotent enqueue by `clientMessageId` (also concurrently, and — with `reopen` — across a
 * restart), pending order with the running entry first, `sessionsWithPending`, forget.
 */
export function turnQueueContract(name: string, makeQueue: TurnQueueContractFactory, options: DurabilityContractOptions = {}): void {
  const concurrency = options.concurrency ?? 20;
  describe(`turnQueueContract: ${name}`, () => {
    let current: DurabilityContractSubject<TurnQueueStore> | undefined;
    let queue: TurnQueueStore;
    beforeEach(async () => {
      current = await makeQueue();
      queue = current.store;
    });
    afterEach(async () => {
      const finished = current;
      current = undefined;
      await finished?.cleanup?.();
    });

    it('accepts messages at rising positions and keeps the request exactly', async () => {
      const sessionId = newSessionId();
      const first = await queue.enqueue(sessionId, message('one 日本語 🎉', 'c-1'), AT);
      const request: SendMessageRequest = { content: [{ type: 'text', text: 'two' }] } as SendMessageRequest;
      const second = await queue.enqueue(sessionId, request, AT);
      expect(first).toEqual({ duplicate: false, turn: { sessionId, position: first.turn.position, clientMessageId: 'c-1', request: message('one 日本語 🎉', 'c-1'), state: 'queued', acceptedAt: AT } });
      expect(second.turn.position).toBeGreaterThan(first.turn.position);
      expect(second.turn.clientMessageId).toBeUndefined();
      expect(await queue.pending(sessionId)).toEqual([first.turn, second.turn]);
    });

    it('is idempotent by clientMessageId within a session, and only within it', async () => {
      const sessionId = newSessionId();
      const first = await queue.enqueue(sessionId, message('once', 'same'), AT);
      const retry = await queue.enqueue(sessionId, message('once again', 'same'), '2026-01-02T00:00:00.000Z');
      expect(retry).toEqual({ duplicate: true, turn: first.turn });
      const elsewhere = await queue.enqueue(newSessionId(), message('once', 'same'), AT);
      expect(elsewhere.duplicate).toBe(false);
      expect(await queue.pending(sessionId)).toHaveLength(1);
    });

    it('keeps done entries for deduplication and leaves them out of pending', async () => {
      const sessionId = newSessionId();
      const first = await queue.enqueue(sessionId, message('a', 'a'), AT);
      await queue.markRunning(sessionId, first.turn.position, 'turn-a');
      await queue.complete(sessionId, first.turn.position, 'completed');
      expect(await queue.pending(sessionId)).toEqual([]);
      expect(await queue.enqueue(sessionId, message('a', 'a'), AT)).toEqual({ duplicate: true, turn: { ...first.turn, state: 'done', turnId: 'turn-a', outcome: 'completed' } });
      const next = await queue.enqueue(sessionId, message('b'), AT);
      expect(next.turn.position).toBeGreaterThan(first.turn.position);
    });

    it('lists pending entries in acceptance order with the running one first', async () => {
      const sessionId = newSessionId();
      const [a, b, c] = [await queue.enqueue(sessionId, message('a'), AT), await queue.enqueue(sessionId, message('b'), AT), await queue.enqueue(sessionId, message('c'), AT)];
      await queue.markRunning(sessionId, b!.turn.position, 'turn-b');
      expect((await queue.pending(sessionId)).map((turn) => [turn.position, turn.state])).toEqual([
        [b!.turn.position, 'running'],
        [a!.turn.position, 'queued'],
        [c!.turn.position, 'queued'],
      ]);
      expect((await queue.pending(sessionId))[0]?.turnId).toBe('turn-b');
      await queue.complete(sessionId, b!.turn.position, 'interrupted');
      expect((await queue.pending(sessionId)).map((turn) => turn.position)).toEqual([a!.turn.position, c!.turn.position]);
    });

    it('names the sessions with pending entries', async () => {
      const busy = newSessionId();
      const finished = newSessionId();
      await queue.enqueue(busy, message('x'), AT);
      const done = await queue.enqueue(finished, message('y'), AT);
      await queue.complete(finished, done.turn.position, 'error');
      const pending = await queue.sessionsWithPending();
      expect(pending).toContain(busy);
      expect(pending).not.toContain(finished);
    });

    it('forgets one session whole and leaves the others', async () => {
      const gone = newSessionId();
      const kept = newSessionId();
      await queue.enqueue(gone, message('x', 'k'), AT);
      await queue.enqueue(kept, message('y', 'k'), AT);
      await queue.forget(gone);
      expect(await queue.pending(gone)).toEqual([]);
      expect(await queue.sessionsWithPending()).not.toContain(gone);
      expect((await queue.enqueue(gone, message('x', 'k'), AT)).duplicate).toBe(false);
      expect(await queue.pending(kept)).toHaveLength(1);
    });

    it(`accepts ${concurrency} concurrent enqueues (half of them retries) exactly once each`, async () => {
      const sessionId = newSessionId();
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, index) => queue.enqueue(sessionId, message(`m${index % (concurrency / 2)}`, `c${index % (concurrency / 2)}`), AT)),
      );
      expect(results.filter((result) => !result.duplicate)).toHaveLength(concurrency / 2);
      const pending = await queue.pending(sessionId);
      expect(pending).toHaveLength(concurrency / 2);
      expect(new Set(pending.map((turn) => turn.position)).size).toBe(concurrency / 2);
      for (const result of results) expect(pending.find((turn) => turn.clientMessageId === result.turn.clientMessageId)?.position).toBe(result.turn.position);
    });

    it('keeps queued and running entries, outcomes and deduplication across a restart', async (context) => {
      if (!current?.reopen) return context.skip();
      const sessionId = newSessionId();
      const ran = await queue.enqueue(sessionId, message('ran', 'r'), AT);
      const running = await queue.enqueue(sessionId, message('running', 'run'), AT);
      const queued = await queue.enqueue(sessionId, message('queued', 'q'), AT);
      await queue.complete(sessionId, ran.turn.position, 'completed');
      await queue.markRunning(sessionId, running.turn.position, 'turn-running');
      queue = await current.reopen();
      expect(await queue.sessionsWithPending()).toContain(sessionId);
      expect(await queue.pending(sessionId)).toEqual([{ ...running.turn, state: 'running', turnId: 'turn-running' }, queued.turn]);
      expect(await queue.enqueue(sessionId, message('ran', 'r'), AT)).toEqual({ duplicate: true, turn: { ...ran.turn, state: 'done', outcome: 'completed' } });
      const later = await queue.enqueue(sessionId, message('later'), AT);
      expect(later.turn.position).toBeGreaterThan(queued.turn.position);
    });
  });
}
