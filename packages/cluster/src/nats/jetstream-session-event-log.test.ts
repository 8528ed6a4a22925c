import type { AnyServerEvent, LoggedSessionEvent } from '@agent-runtime/core';
import { hasErrorCode } from '@agent-runtime/core';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testNats, uniqueName } from '../test-services.js';
import { JetStreamSessionEventLog } from './jetstream-session-event-log.js';

let nodeA: NatsConnection;
let nodeB: NatsConnection;
let logA: JetStreamSessionEventLog;
let logB: JetStreamSessionEventLog;
const streamName = uniqueName('AR_EVENTS_TEST');
const subjectPrefix = uniqueName('ar-test').replaceAll('_', '-');

const delta = (sessionId: string, n: number): AnyServerEvent =>
  ({ event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: `b${n}`, delta: `text ${n}` } }) as unknown as AnyServerEvent;
const deltas = (sessionId: string, count: number, from = 1) => Array.from({ length: count }, (_, index) => delta(sessionId, from + index));
const seqs = (events: readonly LoggedSessionEvent[]) => events.map((event) => event.seq);
let counter = 0;
const newSession = () => `session-${process.pid}-${(counter += 1)}`;

beforeAll(async () => {
  nodeA = await testNats();
  nodeB = await testNats();
  logA = new JetStreamSessionEventLog({ connection: nodeA, streamName, subjectPrefix });
  logB = new JetStreamSessionEventLog({ connection: nodeB, streamName, subjectPrefix });
  await logA.ensureStream();
});
afterAll(async () => {
  await (await jetstreamManager(nodeA)).streams.delete(streamName).catch(() => undefined);
  await nodeA.close();
  await nodeB.close();
});

describe('JetStreamSessionEventLog', () => {
  it('numbers from 1 per session, reads after seq with limit, bounds', async () => {
    const first = newSession();
    const second = newSession();
    expect(await logA.bounds(first)).toEqual({ oldestSeq: 1, latestSeq: 0 });
    expect(await logA.append(first, [])).toEqual([]);
    expect(await logA.append(first, deltas(first, 3))).toEqual(deltas(first, 3).map((event, index) => ({ sessionId: first, seq: index + 1, event })));
    expect(seqs(await logA.append(first, deltas(first, 2, 4)))).toEqual([4, 5]);
    expect(seqs(await logA.append(second, deltas(second, 1)))).toEqual([1]);
    expect(seqs(await logA.read(first, 0))).toEqual([1, 2, 3, 4, 5]);
    expect((await logA.read(first, 0))[4]?.event).toEqual(delta(first, 5));
    expect(seqs(await logA.read(first, 2, 2))).toEqual([3, 4]);
    expect(await logA.read(first, 5)).toEqual([]);
    expect(await logA.read(newSession(), 0)).toEqual([]);
    expect(await logA.bounds(first)).toEqual({ oldestSeq: 1, latestSeq: 5 });
  });

  it('trims: bounds move, latestSeq stays (also when everything was trimmed), numbering goes on', async () => {
    const sessionId = newSession();
    await logA.append(sessionId, deltas(sessionId, 10));
    await logA.trim(sessionId, 4);
    expect(await logA.bounds(sessionId)).toEqual({ oldestSeq: 5, latestSeq: 10 });
    expect(seqs(await logA.read(sessionId, 0))).toEqual([5, 6, 7, 8, 9, 10]);
    await logA.trim(sessionId, 2);
    expect(await logA.bounds(sessionId)).toEqual({ oldestSeq: 5, latestSeq: 10 });
    await logA.trim(sessionId, 10);
    expect(await logA.bounds(sessionId)).toEqual({ oldestSeq: 11, latestSeq: 10 });
    expect(await logA.read(sessionId, 0)).toEqual([]);
    expect(seqs(await logA.append(sessionId, deltas(sessionId, 2, 11)))).toEqual([11, 12]);
    expect(await logA.bounds(sessionId)).toEqual({ oldestSeq: 11, latestSeq: 12 });
    // a new node (fresh client, no cache) sees the same
    expect(await logB.bounds(sessionId)).toEqual({ oldestSeq: 11, latestSeq: 12 });
  });

  it('forgets one session whole and leaves the others', async () => {
    const gone = newSession();
    const kept = newSession();
    await logA.append(gone, deltas(gone, 3));
    await logA.append(kept, deltas(kept, 2));
    await logA.forget(gone);
    expect(await logA.read(gone, 0)).toEqual([]);
    expect(await logA.bounds(gone)).toEqual({ oldestSeq: 1, latestSeq: 0 });
    expect(seqs(await logA.read(kept, 0))).toEqual([1, 2]);
  });

  it('numbers 20 concurrent appends on one node without gap, duplicate or interleaving', async () => {
    const sessionId = newSession();
    const batches = await Promise.all(Array.from({ length: 20 }, () => logA.append(sessionId, deltas(sessionId, 5))));
    for (const batch of batches) expect(seqs(batch)).toEqual([0, 1, 2, 3, 4].map((offset) => batch[0]!.seq + offset));
    expect(batches.flatMap(seqs).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
  });

  it('two nodes writing one session (a takeover) never reuse a seq: the loser of a race renumbers', async () => {
    const sessionId = newSession();
    await logA.append(sessionId, deltas(sessionId, 3));
    await logB.append(sessionId, deltas(sessionId, 2)); // B has no cache: reads the subject
    await Promise.all([logA.append(sessionId, deltas(sessionId, 4)), logB.append(sessionId, deltas(sessionId, 4))]);
    const stored = seqs(await logB.read(sessionId, 0));
    expect(stored).toEqual(Array.from({ length: 13 }, (_, index) => index + 1));
  });

  it("refuses a stale owner's append once its successor wrote (fencing token), and stores nothing", async () => {
    const sessionId = newSession();
    const tokens = { a: 1, b: 2 };
    const staleA = new JetStreamSessionEventLog({ connection: nodeA, streamName, subjectPrefix, fencingTokenOf: () => tokens.a });
    const successorB = new JetStreamSessionEventLog({ connection: nodeB, streamName, subjectPrefix, fencingTokenOf: () => tokens.b });
    expect(seqs(await staleA.append(sessionId, deltas(sessionId, 2)))).toEqual([1, 2]);
    expect(seqs(await successorB.append(sessionId, deltas(sessionId, 1, 3)))).toEqual([3]);
    const refused = await staleA.append(sessionId, deltas(sessionId, 1, 4)).catch((error: unknown) => error);
    expect(hasErrorCode(refused, 'LEASE_LOST')).toBe(true);
    expect(seqs(await logA.read(sessionId, 0))).toEqual([1, 2, 3]);
    expect(seqs(await successorB.append(sessionId, deltas(sessionId, 1, 4)))).toEqual([4]);
  });

  it('rejects bad ids and seqs with INVALID_INPUT and stores nothing', async () => {
    const refused = [
      await logA.append('a.b', deltas('x', 1)).catch((error: unknown) => error),
      await logA.append('>', deltas('x', 1)).catch((error: unknown) => error),
      await logA.read('ok', -1).catch((error: unknown) => error),
      await logA.read('ok', 0, 1.5).catch((error: unknown) => error),
      await logA.trim('ok', Number.NaN).catch((error: unknown) => error),
    ];
    for (const error of refused) expect(hasErrorCode(error, 'INVALID_INPUT')).toBe(true);
  });

  it('a follower on another node replays after `afterSeq`, then receives new events live, in order', async () => {
    const sessionId = newSession();
    await logA.append(sessionId, deltas(sessionId, 4));
    const received: number[] = [];
    let reached: (() => void) | undefined;
    const done = new Promise<void>((resolve) => (reached = resolve));
    const follower = logB.follow(sessionId, {
      afterSeq: 2,
      onEvent: (event) => {
        received.push(event.seq);
        if (event.seq === 8) reached?.();
      },
    });
    await follower.ready;
    await logA.append(sessionId, deltas(sessionId, 4, 5));
    await done;
    await follower.stop();
    expect(received).toEqual([3, 4, 5, 6, 7, 8]);
  });
});
