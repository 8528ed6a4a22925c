import { describe, expect, it } from 'vitest';
import { leastRecentlyUsedIdle } from './least-recently-used-idle.js';

const process = (name: string, lastUsedAt: number, state: { alive?: boolean; busy?: boolean } = {}) => ({
  name,
  alive: state.alive ?? true,
  busy: state.busy ?? false,
  info: () => ({ lastUsedAt }),
});

describe('leastRecentlyUsedIdle', () => {
  it('chooses the least recently used idle processes until one more fits under the cap', () => {
    const processes = [process('a', 30), process('b', 10), process('c', 20)];
    expect(leastRecentlyUsedIdle(processes, 3).map((chosen) => chosen.name)).toEqual(['b']);
    expect(leastRecentlyUsedIdle(processes, 2).map((chosen) => chosen.name)).toEqual(['b', 'c']);
    expect(leastRecentlyUsedIdle(processes, 4)).toEqual([]);
    expect(leastRecentlyUsedIdle(processes, Number.POSITIVE_INFINITY)).toEqual([]);
  });

  it('never chooses a busy process; dead ones neither count nor are chosen; alsoCounted takes room', () => {
    const processes = [process('busy', 1, { busy: true }), process('dead', 2, { alive: false }), process('idle', 3)];
    expect(leastRecentlyUsedIdle(processes, 1).map((chosen) => chosen.name)).toEqual(['idle']);
    expect(leastRecentlyUsedIdle(processes, 3)).toEqual([]);
    expect(leastRecentlyUsedIdle(processes, 3, 1).map((chosen) => chosen.name)).toEqual(['idle']);
  });
});
