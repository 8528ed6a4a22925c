import { describe, expect, it } from 'vitest';
import type { AnyServerEvent, BusEvent, Logger } from '@agent-runtime/core';
import { MemorySessionEventLog } from './durability/memory-session-event-log.js';
import { SessionEventBus } from './event-bus.js';

const delta = (sessionId: string, blockId: string, text: string): AnyServerEvent => ({
  event: 'session:block:delta',
  data: { sessionId, conversationId: 'main', blockId, delta: text },
});
const status = (sessionId: string): AnyServerEvent => ({ event: 'session:status', data: { sessionId, status: 'active' } });

function recordingLogger() {
  const errors: { fields: unknown; message: string }[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (fields, message) => errors.push({ fields, message: message ?? '' }),
  };
  return { logger, errors };
}

describe('SessionEventBus', () => {
  it('numbers each session separately, delivers after storing, in publish order', async () => {
    const bus = new SessionEventBus();
    const seen: BusEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    const published = await Promise.all([bus.publish(status('a')), bus.publish(status('b')), bus.publish(delta('a', 'x', '1'))]);
    expect(published.map((event) => [event?.sessionId, event?.seq])).toEqual([
      ['a', 1],
      ['b', 1],
      ['a', 2],
    ]);
    expect(seen.filter((event) => event.sessionId === 'a').map((event) => event.seq)).toEqual([1, 2]);
    expect(bus.latestSeq('a')).toBe(2);
  });

  it('replays in order after the ring wrapped, and answers resync for what left it', async () => {
    const bus = new SessionEventBus({ replayWindow: 5 });
    for (let index = 1; index <= 12; index++) await bus.publish(delta('a', 'x', String(index)));
    const replay = await bus.replay('a', 8);
    expect(replay).toMatchObject({ kind: 'events', latestSeq: 12 });
    expect(replay.kind === 'events' && replay.events.map((event) => event.seq)).toEqual([9, 10, 11, 12]);
    expect(await bus.replay('a', 6)).toEqual({ kind: 'resync', latestSeq: 12, oldestSeq: 8 });
    expect(await bus.replay('a', 7)).toMatchObject({ kind: 'events' });
    expect(await bus.replay('a', 12)).toEqual({ kind: 'events', events: [], latestSeq: 12 });
    expect(await bus.replay('a', 8, 3)).toMatchObject({ kind: 'resync' });
  });

  it('a throwing listener is logged and does not keep the event from the others', async () => {
    const { logger, errors } = recordingLogger();
    const bus = new SessionEventBus({ logger });
    const seen: number[] = [];
    bus.subscribe(() => {
      throw new Error('listener broke');
    });
    bus.subscribe((event) => seen.push(event.seq!));
    await bus.publish(status('a'));
    await bus.publish(status('a'));
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(2);
    expect(errors[0]!.message).toMatch(/listener threw/);
  });

  it('forget frees the in-memory log of a session', async () => {
    const bus = new SessionEventBus();
    await bus.publish(status('a'));
    await bus.publish(status('b'));
    await bus.forget('a');
    expect(bus.latestSeq('a')).toBe(0);
    expect(await bus.replay('a', 0)).toEqual({ kind: 'events', events: [], latestSeq: 0 });
    expect(bus.latestSeq('b')).toBe(1);
  });

  it('over a log that outlives the bus (a restart), seq keeps rising and replay reads the log', async () => {
    const log = new MemorySessionEventLog();
    const before = new SessionEventBus({ log });
    await before.publish(status('a'));
    await before.publish(status('a'));
    const after = new SessionEventBus({ log });
    expect(await after.open('a')).toBe(2);
    expect((await after.publish(status('a')))?.seq).toBe(3);
    const replay = await after.replay('a', 0);
    expect(replay.kind === 'events' && replay.events.map((event) => event.seq)).toEqual([1, 2, 3]);
    await after.forget('a');
    expect(after.latestSeq('a')).toBe(3); // a log it does not own keeps the session's events
  });

  it('drops a block\'s deltas from the log once the block completed; a replay then folds to the same block', async () => {
    const bus = new SessionEventBus({ discardCompletedDeltas: true });
    await bus.publish({ event: 'session:block:start', data: { sessionId: 'a', conversationId: 'main', block: { id: 'x', type: 'assistant_text', timestamp: 't', content: '' } } });
    await bus.publish(delta('a', 'x', 'hel'));
    await bus.publish(delta('a', 'x', 'lo'));
    await bus.publish({ event: 'session:block:complete', data: { sessionId: 'a', conversationId: 'main', blockId: 'x', block: { id: 'x', type: 'assistant_text', timestamp: 't', content: 'hello' } } });
    await new Promise((resolve) => setImmediate(resolve));
    const replay = await bus.replay('a', 0);
    expect(replay.kind === 'events' && replay.events.map((event) => [event.seq, event.event])).toEqual([
      [1, 'session:block:start'],
      [4, 'session:block:complete'],
    ]);
  });

  it('when storing fails, the events reach no listener and the failure is logged', async () => {
    const { logger, errors } = recordingLogger();
    const log = new MemorySessionEventLog();
    log.append = async () => {
      throw new Error('disk full');
    };
    const bus = new SessionEventBus({ log, logger });
    const seen: BusEvent[] = [];
    bus.subscribe((event) => seen.push(event));
    expect(await bus.publish(status('a'))).toBeUndefined();
    expect(seen).toEqual([]);
    expect(errors[0]!.message).toMatch(/storing session events failed/);
    await bus.publish({ event: 'sessions:list', data: { sessions: [] } });
    expect(seen.map((event) => event.event)).toEqual(['sessions:list']);
  });
});
