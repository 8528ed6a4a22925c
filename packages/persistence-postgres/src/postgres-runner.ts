import type { Pool, PoolClient } from 'pg';

/** What the durability modules get from the adapter: its pool, quoted schema and error mapping. */
export interface PostgresContext {
  pool: Pool;
  /** The quoted schema name. */
  s: string;
  /** Runs `action` once migrated; storage failures become coded errors (`sessionId` maps foreign-key violations). */
  run<T>(operation: string, action: () => Promise<T>, sessionId?: string): Promise<T>;
  /** Runs `action` in a transaction opened with `begin`. */
  transaction<T>(begin: string, action: (client: PoolClient) => Promise<T>): Promise<T>;
}
