import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const CLUSTER_DATABASE_URL = process.env.AGENT_RUNTIME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const CLUSTER_NATS_URL = process.env.AGENT_RUNTIME_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Names of one test's cluster: its own PostgreSQL schemas, JetStream stream and subjects. */
export function clusterNames(label: string) {
  const unique = `${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  return {
    persistenceSchema: `e2e_${unique}`,
    clusterSchema: `e2e_leases_${unique}`,
    stream: `AR_E2E_${unique}`,
    subjectPrefix: `ar-e2e-${unique.replaceAll('_', '-')}`,
    deployment: `e2e-${unique.replaceAll('_', '-')}`,
  };
}

export type ClusterNames = ReturnType<typeof clusterNames>;

/** After a cluster test: its nodes stopped, drop its PostgreSQL schemas and close `pool`; remove `dataDir`. */
export async function dropCluster(pool: { query(sql: string): Promise<unknown>; end(): Promise<void> } | undefined, names: ClusterNames, dataDir: string): Promise<void> {
  await pool?.query(`DROP SCHEMA IF EXISTS "${names.persistenceSchema}" CASCADE`);
  await pool?.query(`DROP SCHEMA IF EXISTS "${names.clusterSchema}" CASCADE`);
  await pool?.end();
  rmSync(dataDir, { recursive: true, force: true });
}

/** A cluster node process (`cluster-child.mjs`); resolves once it listens. */
export async function startClusterNode(options: { names: ClusterNames; nodeId: string; port: number; dataDir: string; modelServerUrl: string; leaseTtlMs?: number; drainTimeoutMs?: number; env?: Record<string, string> }) {
  const dataDir = join(options.dataDir, options.nodeId);
  mkdirSync(dataDir, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, [fileURLToPath(new URL('./cluster-child.mjs', import.meta.url))], {
    env: {
      ...process.env,
      CLUSTER_DATABASE_URL,
      CLUSTER_NATS_URL,
      CLUSTER_PERSISTENCE_SCHEMA: options.names.persistenceSchema,
      CLUSTER_SCHEMA: options.names.clusterSchema,
      CLUSTER_STREAM: options.names.stream,
      CLUSTER_SUBJECT_PREFIX: options.names.subjectPrefix,
      CLUSTER_DEPLOYMENT: options.names.deployment,
      CLUSTER_NODE_ID: options.nodeId,
      CLUSTER_LEASE_TTL_MS: String(options.leaseTtlMs ?? 3000),
      CLUSTER_DRAIN_TIMEOUT_MS: String(options.drainTimeoutMs ?? 30000),
      RUNTIME_DATA_DIR: dataDir,
      RUNTIME_MODEL_URL: options.modelServerUrl,
      RUNTIME_PORT: String(options.port),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // The node's log lines (RUNTIME_LOG_LEVEL) go to stderr, tagged with the node; its {"url"} line says it listens.
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  let url: string | undefined;
  while (url === undefined) {
    const line = await lines.next();
    if (line.done) throw new Error(`cluster node ${options.nodeId} exited before it listened`);
    const parsed = JSON.parse(line.value as string) as { url?: string; level?: number };
    if (parsed.level === undefined && parsed.url !== undefined) url = parsed.url;
    else process.stderr.write(`[${options.nodeId}] ${line.value as string}\n`);
  }
  void (async () => {
    for (let line = await lines.next(); !line.done; line = await lines.next()) process.stderr.write(`[${options.nodeId}] ${line.value as string}\n`);
  })();
  return {
    nodeId: options.nodeId,
    url,
    /** Stop it with `signal` and wait for the exit. */
    async kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
      child.kill(signal);
      return exited;
    },
  };
}

export type ClusterNode = Awaited<ReturnType<typeof startClusterNode>>;
