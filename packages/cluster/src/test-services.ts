import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';

/** The services the tests run against; unreachable means a failing test with this message, never a skip. */
export const TEST_DATABASE_URL = process.env.AGENT_RUNTIME_TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_NATS_URL = process.env.AGENT_RUNTIME_TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function testPool(): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 8 });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`PostgreSQL is unreachable at ${TEST_DATABASE_URL} (set AGENT_RUNTIME_TEST_DATABASE_URL): ${String(error)}`, { cause: error });
  }
  return pool;
}

export async function testNats(): Promise<NatsConnection> {
  try {
    return await connect({ servers: TEST_NATS_URL, timeout: 5_000 });
  } catch (error) {
    throw new Error(`NATS is unreachable at ${TEST_NATS_URL} (start nats-server -js, or set AGENT_RUNTIME_TEST_NATS_URL): ${String(error)}`, { cause: error });
  }
}
