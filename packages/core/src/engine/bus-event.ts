import type { AnyServerEvent } from '../protocol/events.js';

/**
 * A server event as the engine's event source delivers it to transports. Events that concern
 * one session carry its id and their `seq` from the session's event log; events of no session
 * (`sessions:list`) carry neither.
 */
export type BusEvent = AnyServerEvent & {
  /** The session the event belongs to, when it belongs to one. */
  sessionId?: string;
  /** Per-session sequence number from the event log: starts at 1, rises for the session's whole life. */
  seq?: number;
};

/** Receives every published event, in order per session. */
export type BusListener = (event: BusEvent) => void;
