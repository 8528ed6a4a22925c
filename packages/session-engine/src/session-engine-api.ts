/** The engine contract lives in core (transports and clients depend on it, not on this package). */
export type { SessionEngine, SessionEventSource } from '@agent-runtime/core';
