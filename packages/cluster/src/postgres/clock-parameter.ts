/** A clock a test can drive; production leaves it out and the database's clock decides. */
export interface ClusterClock {
  now(): number;
}

/**
 * The time a statement uses: the injected clock's, or NULL so that SQL falls back to the
 * database's `clock_timestamp()` — one clock for every node, so node clock skew cannot shorten
 * or stretch a lease.
 */
export function nowParameter(clock: ClusterClock | undefined): Date | null {
  return clock ? new Date(clock.now()) : null;
}

/** SQL for "now", given the parameter index that holds `nowParameter(...)`. */
export const nowSql = (index: number) => `COALESCE($${index}::timestamptz, clock_timestamp())`;
