/** What the cap needs to know of a warm agent process. */
export interface CappedWarmProcess {
  readonly alive: boolean;
  /** Running a turn: never stopped to make room. */
  readonly busy: boolean;
  info(): { lastUsedAt: number };
}

/**
 * The idle processes to stop, least recently used first, so that one more process fits under
 * `maxProcesses`: while the live processes plus `alsoCounted` (e.g. parked spares, or room asked
 * for beyond the one) reach the cap. Busy processes are never chosen, so the cap may stay exceeded.
 */
export function leastRecentlyUsedIdle<P extends CappedWarmProcess>(processes: Iterable<P>, maxProcesses: number, alsoCounted = 0): P[] {
  const all = [...processes];
  const idle = all.filter((process) => process.alive && !process.busy);
  idle.sort((a, b) => a.info().lastUsedAt - b.info().lastUsedAt);
  const count = all.filter((process) => process.alive).length + alsoCounted;
  return idle.slice(0, Math.max(0, count - maxProcesses + 1));
}
