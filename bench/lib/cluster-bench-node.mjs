// One cluster node for `pnpm bench cluster`'s takeover measurement: the runtime with testkit's
// scripted agent (a message "hold" streams one delta and waits forever) and fake sandbox, PostgreSQL
// persistence, NATS JetStream. Prints {"url"} once it listens; the bench SIGKILLs it.
import { AgentRuntime, createPostgresPersistence } from 'agent-runtime';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';

const environment = process.env;
const text = (id, content) => ({ id, timestamp: new Date().toISOString(), type: 'assistant_text', content });
const architecture = createScriptedArchitecture(async function* (context) {
  const id = `reply-${context.turnId}`;
  yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
  yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: 'working' };
  if (context.message === 'hold') await new Promise((resolve) => context.signal.addEventListener('abort', resolve));
  yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, 'done') };
});
const persistence = createPostgresPersistence({ connectionString: environment.BENCH_DATABASE_URL, schema: environment.BENCH_SCHEMA, poolConfig: { max: 4 } });
const runtime = new AgentRuntime({
  persistence,
  sandbox: createFakeSandboxProvider(),
  architectures: [architecture],
  websocketPort: 0,
  host: '127.0.0.1',
  logLevel: 'error',
  cluster: {
    databaseUrl: environment.BENCH_DATABASE_URL,
    natsUrl: environment.BENCH_NATS_URL,
    nodeId: environment.BENCH_NODE_ID,
    deploymentId: 'bench',
    schema: environment.BENCH_CLUSTER_SCHEMA,
    streamName: environment.BENCH_STREAM,
    subjectPrefix: environment.BENCH_SUBJECT_PREFIX,
    leaseTtlMs: Number(environment.BENCH_LEASE_TTL_MS),
    drainTimeoutMs: 1000,
  },
});
process.on('SIGTERM', () => runtime.stop().finally(() => persistence.close().finally(() => process.exit(0))));
await runtime.start();
process.stdout.write(`${JSON.stringify({ url: runtime.url })}\n`);
