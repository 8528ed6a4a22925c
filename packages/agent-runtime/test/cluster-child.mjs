// One node of a cluster for the cluster end-to-end tests: PostgreSQL (persistence, leases, turn
// queue) and NATS JetStream (events, commands), the local sandbox under its own data dir, the
// real Claude Code CLI against the scripted model server. Prints {"url"} once it listens;
// SIGTERM drains and stops it; SIGKILL is a crash. With CLUSTER_MODAL_APP the sandboxes are on
// Modal instead (the real SDK against the fake server at MODAL_SERVER_URL, whose processes run on
// the host and outlive this node).
import { AgentRuntime, createClaudeArchitecture, createModalSandboxProvider, createPostgresPersistence } from '../dist/index.js';

const environment = process.env;
const persistence = createPostgresPersistence({ connectionString: environment.CLUSTER_DATABASE_URL, schema: environment.CLUSTER_PERSISTENCE_SCHEMA, poolConfig: { max: 5 } });
const runtime = new AgentRuntime({
  persistence,
  dataDir: environment.RUNTIME_DATA_DIR,
  websocketPort: Number(environment.RUNTIME_PORT),
  host: '127.0.0.1',
  logLevel: environment.RUNTIME_LOG_LEVEL ?? 'error',
  syncIntervalMs: 60_000,
  ...(environment.CLUSTER_MODAL_APP
    ? { sandbox: createModalSandboxProvider({ appName: environment.CLUSTER_MODAL_APP, deployment: environment.CLUSTER_DEPLOYMENT, allowLocalhostModelUrls: true }) }
    : {}),
  cluster: {
    databaseUrl: environment.CLUSTER_DATABASE_URL,
    natsUrl: environment.CLUSTER_NATS_URL,
    nodeId: environment.CLUSTER_NODE_ID,
    deploymentId: environment.CLUSTER_DEPLOYMENT,
    schema: environment.CLUSTER_SCHEMA,
    streamName: environment.CLUSTER_STREAM,
    subjectPrefix: environment.CLUSTER_SUBJECT_PREFIX,
    leaseTtlMs: Number(environment.CLUSTER_LEASE_TTL_MS ?? 3000),
    drainTimeoutMs: Number(environment.CLUSTER_DRAIN_TIMEOUT_MS ?? 30000),
  },
  architectures: [
    createClaudeArchitecture({
      env: { ANTHROPIC_BASE_URL: environment.RUNTIME_MODEL_URL, ANTHROPIC_API_KEY: 'sk-test', CLAUDE_CODE_MAX_RETRIES: '0' },
      model: 'claude-sonnet-4-5',
    }),
  ],
});
process.on('SIGTERM', () => {
  runtime.stop().then(
    () => persistence.close().finally(() => process.exit(0)),
    () => process.exit(1),
  );
});
await runtime.start();
process.stdout.write(`${JSON.stringify({ url: runtime.url })}\n`);
