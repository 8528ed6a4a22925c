import { MAX_METADATA_BYTES, MAX_METADATA_DEPTH, metadataProblem, type SessionListData } from '@agent-runtime/core';

/**
 * Looser than the create-time bounds: the engine adds its own fields (token usage, cost, model) to
 * metadata that was at the limit, and that must not be hidden.
 */
const OUTPUT_LIMITS = { maxDepth: MAX_METADATA_DEPTH * 2, maxBytes: MAX_METADATA_BYTES * 4 };

/**
 * A session record safe to serialise: stored `metadata` beyond the bounds of core (written before
 * they existed, or by another writer of the database) is replaced by a note, so one session can
 * never make `GET /sessions` or a `sessions:list` frame fail (4,109 levels of nesting overflowed
 * `JSON.stringify`) or carry megabytes to every client.
 */
export function boundedSession<T extends SessionListData>(session: T): T {
  if (session.metadata === undefined) return session;
  const problem = metadataProblem(session.metadata, OUTPUT_LIMITS);
  if (!problem) return session;
  return { ...session, metadata: { omitted: `metadata is ${problem}` } };
}
