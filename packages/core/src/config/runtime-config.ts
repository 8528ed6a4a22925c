import { z } from 'zod';
import type { PersistenceAdapter } from '../persistence/persistence-adapter.js';
import type { AgentArchitecture } from '../agent/agent-architecture.js';
import type { SandboxProvider } from '../sandbox/sandbox-provider.js';
import type { Logger } from './logger.js';
import { webhookConfigSchema, type WebhookConfig } from './webhook-config.js';

export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof logLevelSchema>;

/**
 * Modal credentials, app and sandbox settings. Credentials: `tokenId`/`tokenSecret`, else
 * `MODAL_TOKEN_ID`/`MODAL_TOKEN_SECRET`, else the active profile of `~/.modal.toml`.
 */
export const modalConfigSchema = z.object({
  tokenId: z.string().min(1, 'modal.tokenId is empty (set MODAL_TOKEN_ID)').optional(),
  tokenSecret: z.string().min(1, 'modal.tokenSecret is empty (set MODAL_TOKEN_SECRET)').optional(),
  appName: z.string().min(1, 'modal.appName is empty'),
  /** Image with the agent CLIs; the provider's default image when absent. */
  image: z.string().optional(),
  /** An image published with `modal` (`images.fromName`), used instead of building one. */
  imageName: z.string().min(1).optional(),
  /** Extra Dockerfile commands; on the default image they extend its commands. */
  dockerfileCommands: z.array(z.string()).optional(),
  /** How long the image build may take. Default 30 min. */
  imageBuildTimeoutMs: z.number().int().positive().optional(),
  /** Tags the sandboxes; orphan reaping touches only this deployment's. Default: host + dataDir. */
  deployment: z.string().min(1).max(200).optional(),
  /** Sandbox lifetime. Default 24 h (Modal's maximum): the idle timeout does the stopping. */
  defaultTimeoutMs: z.number().int().positive().optional(),
  /** Reserved cores / memory per sandbox. Defaults 1 core, 2048 MiB (Modal's own: 0.125 / 128). */
  cpu: z.number().positive().optional(),
  memoryMiB: z.number().int().positive().optional(),
  /** Hard limits (memory above it: eviction). Default none. */
  cpuLimit: z.number().positive().optional(),
  memoryLimitMiB: z.number().int().positive().optional(),
  /** A Modal Secret with the model API keys: they are then added outside the sandbox. */
  modelKeySecret: z.string().min(1).optional(),
  /** Processes kill themselves after this long without a host heartbeat. Default 120000; 0 = off. */
  orphanTimeoutMs: z.number().int().min(0).optional(),
});
export type ModalConfig = z.infer<typeof modalConfigSchema>;

const architectureCountsSchema = z
  .object({ 'claude-agent-sdk': z.number().int().min(0).max(100).optional(), 'gemini-cli': z.number().int().min(0).max(100).optional() })
  .strict();

/**
 * Ready sandboxes kept per architecture, so that a new session waits for no sandbox creation (and,
 * with `agentProcess`, no CLI start-up). Off by default.
 */
export const warmPoolConfigSchema = z
  .object({
    /** Spare sandboxes kept ready for each architecture the runtime serves. Default 0 (off). */
    sandboxes: z.number().int().min(0).max(100).optional(),
    /** Per-architecture counts, instead of `sandboxes` for the ones named. */
    perArchitecture: architectureCountsSchema.optional(),
    /** Start the agent process of a session that got a pooled sandbox at once, with its profile applied (default true). */
    agentProcess: z.boolean().optional(),
  })
  .strict();
export type WarmPoolConfig = z.infer<typeof warmPoolConfigSchema>;

/** Most warm agent processes per node: one number for every architecture, or one per architecture. */
export const maxWarmProcessesSchema = z.union([
  z.number().int().min(1).max(100_000),
  z.object({ 'claude-agent-sdk': z.number().int().min(1).max(100_000).optional(), 'gemini-cli': z.number().int().min(1).max(100_000).optional() }).strict(),
]);
export type MaxWarmProcessesConfig = z.infer<typeof maxWarmProcessesSchema>;
const nodeIdPattern = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * Cluster mode: many runtime nodes on one PostgreSQL database (leases, node registry, turn queue)
 * and one NATS JetStream (events, commands). Also turned on by the `DATABASE_URL` and `NATS_URL`
 * environment variables when `cluster` is absent. `persistence` must then be the PostgreSQL
 * adapter on the same database (every node reads the same sessions and queue).
 */
export const clusterConfigSchema = z.object({
  /** PostgreSQL connection string of the cluster tables (default `DATABASE_URL`). */
  databaseUrl: z.string().min(1, 'cluster.databaseUrl is empty (set DATABASE_URL)'),
  /** NATS server(s) with JetStream, e.g. `nats://127.0.0.1:4222` (default `NATS_URL`). */
  natsUrl: z.string().min(1, 'cluster.natsUrl is empty (set NATS_URL)'),
  /** This node's id: letters, digits, `-`, `_`. Default: host name, process id and a random part (new on every start). */
  nodeId: z.string().regex(nodeIdPattern, 'cluster.nodeId: 1-200 letters, digits, "-" or "_"').optional(),
  /** Nodes of one deployment share sessions; orphan reaping never touches another deployment's sandboxes. Default `default`. */
  deploymentId: z.string().regex(nodeIdPattern, 'cluster.deploymentId: 1-200 letters, digits, "-" or "_"').optional(),
  /** PostgreSQL schema of the cluster tables. Default `agent_runtime_cluster`. */
  schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'cluster.schema: a PostgreSQL identifier').optional(),
  /** JetStream stream of session events. Default `AGENT_RUNTIME_EVENTS`. */
  streamName: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, 'cluster.streamName: letters, digits, "-" or "_"').optional(),
  /** NATS subject prefix (events, commands, notifications). Default `agent-runtime`. */
  subjectPrefix: z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, 'cluster.subjectPrefix: dot-separated tokens').optional(),
  /** Lease (and node heartbeat) lifetime; renewed every third of it. Takeover after a crash takes about this long. Default 15000. */
  leaseTtlMs: z.number().int().min(300).max(600_000).optional(),
  /** Graceful stop: how long running turns may take to finish before they are interrupted. Default 30000. */
  drainTimeoutMs: z.number().int().min(0).max(3_600_000).optional(),
  /** How long a command routed to another node waits for its reply. Default 10000. */
  commandTimeoutMs: z.number().int().positive().max(600_000).optional(),
});
export type ClusterConfig = z.infer<typeof clusterConfigSchema>;

export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60 * 1000;
export const DEFAULT_SYNC_INTERVAL_MS = 30 * 1000;
export const DEFAULT_WEBSOCKET_PORT = 3003;
export const DEFAULT_LOG_LEVEL: LogLevel = 'info';

/** The serialisable part of the runtime configuration, validated by `AgentRuntime`. */
export const runtimeOptionsSchema = z.object({
  modal: modalConfigSchema.optional(),
  idleTimeoutMs: z.number().int().positive().optional(),
  syncIntervalMs: z.number().int().positive().optional(),
  turnTimeoutMs: z.number().int().positive().optional(),
  maxQueuedMessages: z.number().int().positive().max(10_000).optional(),
  secretValues: z.array(z.string().min(1).max(10_000)).max(1_000).optional(),
  websocketPort: z.number().int().min(0).max(65535).optional(),
  logLevel: logLevelSchema.optional(),
  dataDir: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  warmPool: warmPoolConfigSchema.optional(),
  maxWarmProcesses: maxWarmProcessesSchema.optional(),
  cluster: z.union([clusterConfigSchema, z.literal(false)]).optional(),
  webhooks: z.array(webhookConfigSchema).max(50).optional(),
});

/**
 * Runtime configuration, as the reference README documents it. `modal` selects the Modal
 * sandbox; without it the runtime uses the local bubblewrap sandbox (or `sandbox`, when given).
 */
export interface RuntimeConfig {
  /** Where sessions, transcripts, files and profiles live. */
  persistence: PersistenceAdapter;
  /** Modal credentials: when given, agents run in Modal sandboxes. */
  modal?: ModalConfig;
  /** Stop a session's sandbox after this long without activity. Default 900000 (15 min). */
  idleTimeoutMs?: number;
  /** Flush transcripts and files at least this often while a turn runs. Default 30000. */
  syncIntervalMs?: number;
  /** Stop a turn that runs longer than this (outcome `timeout`, code `TURN_TIMEOUT`). Default 1800000 (30 min). */
  turnTimeoutMs?: number;
  /** Accepted messages that may wait behind a session's running turn; more are refused with 429 TOO_MANY_QUEUED_MESSAGES. Default 20. */
  maxQueuedMessages?: number;
  /**
   * Secret values to redact (as `[REDACTED]`) from blocks before they are published and from
   * transcripts before they are stored. The model API keys in the runtime's environment
   * (ANTHROPIC_API_KEY, ANTHROPIC_AUTH_TOKEN, GEMINI_API_KEY, GOOGLE_API_KEY) are always added.
   */
  secretValues?: string[];
  /** Port of the HTTP + WebSocket server. Default 3003. */
  websocketPort?: number;
  /** Default 'info'. */
  logLevel?: LogLevel;
  /** An explicit sandbox provider; overrides `modal` and the local default. */
  sandbox?: SandboxProvider;
  /** Where the local sandbox keeps workspaces. Default `./.agent-runtime`. */
  dataDir?: string;
  /**
   * Interface the server listens on. Default `127.0.0.1` without an authentication hook (another
   * interface then needs the umbrella's explicit `allowUnauthenticatedRemote`), `0.0.0.0` with one.
   */
  host?: string;
  /**
   * Run as one node of a cluster (PostgreSQL + NATS JetStream); see `ClusterConfig`. Absent: on
   * when both `DATABASE_URL` and `NATS_URL` are set, else one node. `false`: one node, whatever
   * the environment says.
   */
  cluster?: ClusterConfig | false;
  /** Agents to serve. Default: Claude Code and Gemini CLI, configured from the environment. */
  architectures?: AgentArchitecture[];
  /**
   * Spare sandboxes kept ready per architecture (`{ sandboxes: 1 }`, or `perArchitecture`), so
   * that creating a session and sending its first message waits for neither sandbox creation nor
   * (with `agentProcess`, default true) the agent CLI's start-up. A spare is used by one session
   * only, refilled in the background and stopped on shutdown. Off by default: each spare holds a
   * sandbox (on Modal, a billed container) and, once claimed, a ~190 MiB agent process.
   */
  warmPool?: WarmPoolConfig;
  /**
   * Most warm agent processes per node (kept between turns): one number for each architecture,
   * or `{ 'claude-agent-sdk': n, 'gemini-cli': m }`. Above it the least recently used idle one
   * stops; its session resumes transparently on its next turn. A warm idle Claude Code takes about
   * 190 MiB RSS. Default: no cap (the idle timeout bounds them).
   */
  maxWarmProcesses?: MaxWarmProcessesConfig;
  /**
   * URLs that receive a signed POST when a permission or a question is pending, a turn ends or a
   * session goes idle (retried with backoff, never blocking a turn). See docs/webhooks.md.
   */
  webhooks?: WebhookConfig[];
  /** A logger to use instead of the pino logger the runtime creates at `logLevel`. */
  logger?: Logger;
}
