import { randomBytes } from 'node:crypto';
import { JetStreamSessionEventLog } from '@agent-runtime/cluster';
import { eventLogContract } from '@agent-runtime/testkit/contracts';
import { connect } from '@nats-io/transport-node';

/**
 * testkit's `eventLogContract` against the JetStream log on the real NATS server, a stream per
 * test; `reopen` is a new connection and a new log over the same stream (a node restart: no cache).
 */
const NATS_URL = process.env.AGENT_RUNTIME_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

eventLogContract('nats jetstream', async () => {
  const unique = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const streamName = `AR_CONTRACT_${unique}`;
  const subjectPrefix = `ar-contract-${unique.replace('_', '-')}`;
  let connection = await connect({ servers: NATS_URL, timeout: 5_000 });
  let log: JetStreamSessionEventLog;
  const open = async () => {
    log = new JetStreamSessionEventLog({ connection, streamName, subjectPrefix });
    await log.ensureStream();
    return log;
  };
  return {
    store: await open(),
    async reopen() {
      await connection.close();
      connection = await connect({ servers: NATS_URL, timeout: 5_000 });
      return open();
    },
    async cleanup() {
      await log.deleteStream().catch(() => undefined);
      await connection.close();
    },
  };
});
