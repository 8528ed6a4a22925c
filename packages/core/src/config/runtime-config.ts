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
  /** Agents to serve. Default: Claude Code and Gemini CLI, configured from the environment. */
  architectures?: AgentArchitecture[];
  /**
   * URLs that receive a signed POST when a permission or a question is pending, a turn ends or a
   * session goes idle (retried with backoff, never blocking a turn). See docs/webhooks.md.
   */
  webhooks?: WebhookConfig[];
  /** A logger to use instead of the pino logger the runtime creates at `logLevel`. */
  logger?: Logger;
}
