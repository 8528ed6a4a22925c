import type { ApprovalRequestStore, PermissionRequest, PermissionResolution, QuestionRequest } from '@agent-runtime/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSessionId } from './event-fixtures.js';
import type { DurabilityContractSubject } from './subject.js';

export type ApprovalRequestStoreContractFactory = () => Promise<DurabilityContractSubject<ApprovalRequestStore>>;

const permission = (sessionId: string, requestId: string, createdAt = 1000): PermissionRequest => ({
  kind: 'permission',
  sessionId,
  conversationId: 'main',
  requestId,
  toolName: 'Bash',
  toolUseId: `toolu_${requestId}`,
  input: { command: 'git push 日本語', nested: { list: [1, 2] } },
  createdAt,
  expiresAt: createdAt + 60_000,
});

const question = (sessionId: string, requestId: string): QuestionRequest => ({
  kind: 'question',
  sessionId,
  conversationId: 'main',
  requestId,
  toolUseId: `toolu_${requestId}`,
  questions: [{ question: 'Which?', header: 'Pick', options: [{ label: 'A' }, { label: 'B', description: 'b' }], multiSelect: false }],
  createdAt: 2000,
  expiresAt: 62_000,
});

const allow = (by: string, resolvedAt = 5000): PermissionResolution => ({ decision: 'allow', by, resolvedAt });

/**
 * The behaviour every `ApprovalRequestStore` must have, as one vitest suite: add idempotent by
 * request id, first answer wins (also concurrently), listing in creation order, pending-only,
 * `sessionsWithPending`, forget — and with `reopen`, all of it across a restart.
 */
export function approvalRequestStoreContract(name: string, makeStore: ApprovalRequestStoreContractFactory, options: { concurrency?: number } = {}): void {
  const concurrency = options.concurrency ?? 10;
  describe(`approvalRequestStoreContract: ${name}`, () => {
    let current: DurabilityContractSubject<ApprovalRequestStore> | undefined;
    let store: ApprovalRequestStore;
    beforeEach(async () => {
      current = await makeStore();
      store = current.store;
    });
    afterEach(async () => {
      const finished = current;
      current = undefined;
      await finished?.cleanup?.();
    });

    it('keeps requests exactly, in creation order, and adds idempotently', async () => {
      const sessionId = newSessionId();
      await store.add(permission(sessionId, 'r1', 1000));
      await store.add(question(sessionId, 'r2'));
      await store.add({ ...permission(sessionId, 'r1', 1000), toolName: 'Other' });
      expect(await store.list(sessionId)).toEqual([{ request: permission(sessionId, 'r1', 1000) }, { request: question(sessionId, 'r2') }]);
      expect(await store.get(sessionId, 'r2')).toEqual({ request: question(sessionId, 'r2') });
      expect(await store.get(sessionId, 'missing')).toBeUndefined();
      expect(await store.get(newSessionId(), 'r1')).toBeUndefined();
    });

    it('resolves once: a second answer gets the first resolution back', async () => {
      const sessionId = newSessionId();
      await store.add(permission(sessionId, 'r1'));
      const first = await store.resolve(sessionId, 'r1', { ...allow('alice'), message: 'ok', remember: true });
      expect(first).toEqual({ alreadyResolved: false, stored: { request: permission(sessionId, 'r1'), resolution: { ...allow('alice'), message: 'ok', remember: true } } });
      const second = await store.resolve(sessionId, 'r1', { decision: 'deny', by: 'bob', resolvedAt: 6000 });
      expect(second).toEqual({ alreadyResolved: true, stored: first?.stored });
      expect(await store.resolve(sessionId, 'missing', allow('alice'))).toBeUndefined();
    });

    it('lets exactly one of concurrent answers win', async () => {
      const sessionId = newSessionId();
      await store.add(permission(sessionId, 'race'));
      const results = await Promise.all(Array.from({ length: concurrency }, (_, index) => store.resolve(sessionId, 'race', allow(`p${index}`, index))));
      expect(results.filter((result) => result && !result.alreadyResolved)).toHaveLength(1);
      const winner = results.find((result) => result && !result.alreadyResolved)?.stored.resolution;
      for (const result of results) expect(result?.stored.resolution).toEqual(winner);
    });

    it('lists pending only, names sessions with pending requests, and forgets', async () => {
      const one = newSessionId();
      const two = newSessionId();
      await store.add(permission(one, 'a', 1));
      await store.add(permission(one, 'b', 2));
      await store.add(question(two, 'c'));
      await store.resolve(one, 'a', allow('alice'));
      expect((await store.list(one, { pendingOnly: true })).map((stored) => stored.request.requestId)).toEqual(['b']);
      expect((await store.sessionsWithPending()).filter((id) => id === one || id === two).sort()).toEqual([one, two].sort());
      await store.resolve(two, 'c', { decision: 'answered', by: 'bob', answers: { 'Which?': 'A' }, resolvedAt: 9 });
      expect((await store.sessionsWithPending()).filter((id) => id === one || id === two)).toEqual([one]);
      await store.forget(one);
      expect(await store.list(one)).toEqual([]);
      expect(await store.list(two)).toHaveLength(1);
    });

    it('keeps pending and resolved requests across a restart', async (context) => {
      if (!current?.reopen) return context.skip();
      const sessionId = newSessionId();
      await store.add(permission(sessionId, 'kept'));
      await store.add(question(sessionId, 'answered'));
      await store.resolve(sessionId, 'answered', { decision: 'answered', by: 'bob', answers: { 'Which?': 'B' }, resolvedAt: 9 });
      store = await current.reopen();
      expect(await store.list(sessionId)).toEqual([
        { request: permission(sessionId, 'kept') },
        { request: question(sessionId, 'answered'), resolution: { decision: 'answered', by: 'bob', answers: { 'Which?': 'B' }, resolvedAt: 9 } },
      ]);
      expect(await store.sessionsWithPending()).toContain(sessionId);
      expect((await store.resolve(sessionId, 'answered', allow('late')))?.alreadyResolved).toBe(true);
    });
  });
}
