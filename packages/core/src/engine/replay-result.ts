import type { BusEvent } from './bus-event.js';

/**
 * What a replay of one session's events after `since` found: the events (ascending, none
 * missing), or `resync` when some of them are no longer kept (the client reloads the session).
 */
export type ReplayResult =
  | { kind: 'events'; events: BusEvent[]; latestSeq: number }
  | { kind: 'resync'; latestSeq: number; oldestSeq: number };
