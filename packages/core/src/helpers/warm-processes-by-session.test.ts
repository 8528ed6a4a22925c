import { describe, expect, it } from 'vitest';
import { WarmProcessesBySession } from './warm-processes-by-session.js';

function process(sessionId: string, lastUsedAt: number, busy = false) {
  const record = {
    sessionId,
    alive: true,
    busy,
    ended: '' as '' | 'stopped' | 'killed',
    info: () => ({ sessionId, lastUsedAt }),
    stop: () => {
      record.ended = 'stopped';
      record.alive = false;
    },
    kill: () => {
      record.ended = 'killed';
      record.alive = false;
    },
  };
  return record;
}

describe('WarmProcessesBySession', () => {
  it('stops and forgets the least recently used idle processes to fit one more; lists, stops one or all', () => {
    const processes = new WarmProcessesBySession<{ sessionId: string; lastUsedAt: number }, ReturnType<typeof process>>();
    const [old, busy, recent] = [process('a', 1), process('b', 0, true), process('c', 5)];
    for (const entry of [old, busy, recent]) processes.set(entry.sessionId, entry);
    expect(processes.stopToFit(3).map((entry) => entry.sessionId)).toEqual(['a']);
    expect(old.ended).toBe('stopped');
    expect([...processes.keys()]).toEqual(['b', 'c']);
    expect(processes.infos().map((info) => info.sessionId)).toEqual(['b', 'c']);
    expect(processes.stopSession('b', true)).toBe(true);
    expect(busy.ended).toBe('killed');
    expect(processes.stopSession('nobody', false)).toBe(false);
    expect(processes.infos().map((info) => info.sessionId)).toEqual(['c']);
    processes.stopAll();
    expect(recent.ended).toBe('stopped');
    expect(processes.size).toBe(0);
  });
});
