import { z } from 'zod';
import type { PersistenceAdapter } from '../persistence/persistence-adapter.js';
import type { AgentArchitecture } from '../agent/agent-architecture.js';
import type { SandboxProvider } from '../sandbox/sandbox-provider.js';
import type { Logger } from './logger.js';

export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type LogLevel = z.infer<typeof logLevelSchema>;

/** Modal credentials and app. */
export const modalConfigSchema = z.object({
  tokenId: z.string().min(1, 'modal.tokenId is empty (set MODAL_TOKEN_ID)'),
  tokenSecret: z.string().min(1, 'modal.tokenSecret is empty (set MODAL_TOKEN_SECRET)'),
  appName: z.string().min(1, 'modal.appName is empty'),
  /** Image with the agent CLIs; the provider's default image when absent. */
  image: z.string().optional(),
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
  websocketPort: z.number().int().min(0).max(65535).optional(),
  logLevel: logLevelSchema.optional(),
  dataDir: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
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
  /** Stop a turn that runs longer than this (outcome `timeout`). Default: no limit. */
  turnTimeoutMs?: number;
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
  /** A logger to use instead of the pino logger the runtime creates at `logLevel`. */
  logger?: Logger;
}
