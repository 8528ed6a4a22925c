import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClusterConfig } from '@agent-runtime/core';

/** `ClusterConfig` with every default applied. */
export interface ClusterSettings {
  databaseUrl: string;
  natsUrl: string;
  nodeId: string;
  deploymentId: string;
  schema: string;
  streamName: string;
  subjectPrefix: string;
  leaseTtlMs: number;
  drainTimeoutMs: number;
  commandTimeoutMs: number;
}

/** A node id new on every start: a restarted node never mistakes its predecessor's leases for its own. */
export function defaultNodeId(): string {
  const host = hostname().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 60) || 'node';
  return `${host}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * The cluster settings of a runtime: `config` when given, else on when both `DATABASE_URL` and
 * `NATS_URL` are set (`environment`), else undefined (one node). `false` always means one node.
 */
export function resolveClusterSettings(config: ClusterConfig | false | undefined, environment: NodeJS.ProcessEnv = process.env): ClusterSettings | undefined {
  if (config === false) return undefined;
  const databaseUrl = config?.databaseUrl ?? environment.DATABASE_URL;
  const natsUrl = config?.natsUrl ?? environment.NATS_URL;
  if (!config && !(databaseUrl && natsUrl)) return undefined;
  if (!databaseUrl || !natsUrl) return undefined;
  return {
    databaseUrl,
    natsUrl,
    nodeId: config?.nodeId ?? defaultNodeId(),
    deploymentId: config?.deploymentId ?? 'default',
    schema: config?.schema ?? 'agent_runtime_cluster',
    streamName: config?.streamName ?? 'AGENT_RUNTIME_EVENTS',
    subjectPrefix: config?.subjectPrefix ?? 'agent-runtime',
    leaseTtlMs: config?.leaseTtlMs ?? 15_000,
    drainTimeoutMs: config?.drainTimeoutMs ?? 30_000,
    commandTimeoutMs: config?.commandTimeoutMs ?? 10_000,
  };
}
