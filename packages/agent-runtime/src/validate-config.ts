import {
  AgentRuntimeError,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_LOG_LEVEL,
  DEFAULT_SYNC_INTERVAL_MS,
  DEFAULT_WEBSOCKET_PORT,
  runtimeOptionsSchema,
  type AgentArchitecture,
  type AgentArchitectureType,
  type ClusterConfig,
  type LogLevel,
  type Logger,
  type MaxWarmProcessesConfig,
  type ModalConfig,
  type PersistenceAdapter,
  type RuntimeConfig,
  type SandboxProvider,
  type WebhookConfig,
} from '@agent-runtime/core';

const PERSISTENCE_METHODS = [
  'listAllSessions',
  'loadSession',
  'createSessionRecord',
  'updateSessionRecord',
  'saveTranscript',
  'saveWorkspaceFile',
  'deleteSessionFile',
  'listAgentProfiles',
  'loadAgentProfile',
] as const satisfies readonly (keyof PersistenceAdapter)[];

/** `RuntimeConfig` with every default applied. */
export interface ResolvedRuntimeConfig {
  persistence: PersistenceAdapter;
  modal: ModalConfig | undefined;
  sandbox: SandboxProvider | undefined;
  architectures: AgentArchitecture[] | undefined;
  logger: Logger | undefined;
  dataDir: string;
  /** The interface to listen on; `undefined` picks 127.0.0.1 (no `authenticate`) or 0.0.0.0. */
  host: string | undefined;
  idleTimeoutMs: number;
  syncIntervalMs: number;
  turnTimeoutMs: number | undefined;
  maxQueuedMessages: number | undefined;
  secretValues: string[];
  websocketPort: number;
  logLevel: LogLevel;
  /** Spare sandboxes per architecture (empty: the pool is off). */
  warmPoolSizes: Partial<Record<AgentArchitectureType, number>>;
  /** Start the agent process of a session that got a pooled sandbox (default true). */
  warmPoolAgentProcess: boolean;
  maxWarmProcesses: MaxWarmProcessesConfig | undefined;
  /** Cluster mode settings as given (`false`: forced off; undefined: from DATABASE_URL + NATS_URL). */
  cluster: ClusterConfig | false | undefined;
  /** Validated webhooks (empty: none). */
  webhooks: WebhookConfig[];
}

const ARCHITECTURE_TYPES: readonly AgentArchitectureType[] = ['claude-agent-sdk', 'gemini-cli'];

/**
 * The cap on warm agent processes for one architecture (`RuntimeConfig.maxWarmProcesses`), for
 * the architecture factories: `createClaudeArchitecture({ maxWarmProcesses })`, and the same for
 * Gemini's warm processes.
 */
export function maxWarmProcessesFor(config: Pick<ResolvedRuntimeConfig, 'maxWarmProcesses'>, type: AgentArchitectureType): number | undefined {
  const cap = config.maxWarmProcesses;
  return typeof cap === 'number' ? cap : cap?.[type];
}

function invalid(message: string, details: Record<string, unknown>): AgentRuntimeError {
  return new AgentRuntimeError('INVALID_CONFIG', message, { details });
}

/** Checks a config the way a user would want to hear about it: one error naming the field. */
export function validateRuntimeConfig(config: RuntimeConfig): ResolvedRuntimeConfig {
  if (typeof config !== 'object' || config === null) {
    throw invalid('RuntimeConfig must be an object with at least `persistence`.', {});
  }
  const persistence = config.persistence as unknown;
  if (typeof persistence !== 'object' || persistence === null) {
    throw invalid(
      'RuntimeConfig.persistence is required: pass a PersistenceAdapter (e.g. createSqlitePersistence() or your own).',
      { field: 'persistence' },
    );
  }
  const missing = PERSISTENCE_METHODS.filter(
    (method) => typeof (persistence as Record<string, unknown>)[method] !== 'function',
  );
  if (missing.length > 0) {
    throw invalid(`RuntimeConfig.persistence lacks ${missing.map((m) => `${m}()`).join(', ')}.`, {
      field: 'persistence',
      missing,
    });
  }
  const { persistence: _persistence, sandbox, architectures, logger, ...options } = config;
  const parsed = runtimeOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    throw invalid(`RuntimeConfig.${field}: ${issue.message}`, { field, issues: parsed.error.issues.length });
  }
  if (sandbox !== undefined && (typeof sandbox !== 'object' || typeof sandbox.create !== 'function')) {
    throw invalid('RuntimeConfig.sandbox must be a SandboxProvider (an object with create()).', { field: 'sandbox' });
  }
  if (architectures !== undefined && (!Array.isArray(architectures) || architectures.length === 0)) {
    throw invalid('RuntimeConfig.architectures must be a non-empty array of AgentArchitecture.', { field: 'architectures' });
  }
  return {
    persistence: config.persistence,
    architectures,
    logger,
    dataDir: parsed.data.dataDir ?? '.agent-runtime',
    host: parsed.data.host,
    modal: parsed.data.modal,
    sandbox,
    idleTimeoutMs: parsed.data.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    syncIntervalMs: parsed.data.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS,
    turnTimeoutMs: parsed.data.turnTimeoutMs,
    maxQueuedMessages: parsed.data.maxQueuedMessages,
    secretValues: parsed.data.secretValues ?? [],
    websocketPort: parsed.data.websocketPort ?? DEFAULT_WEBSOCKET_PORT,
    logLevel: parsed.data.logLevel ?? DEFAULT_LOG_LEVEL,
    warmPoolSizes: Object.fromEntries(
      ARCHITECTURE_TYPES.map((type) => [type, parsed.data.warmPool?.perArchitecture?.[type] ?? parsed.data.warmPool?.sandboxes ?? 0]).filter(([, size]) => (size as number) > 0),
    ),
    warmPoolAgentProcess: parsed.data.warmPool?.agentProcess ?? true,
    maxWarmProcesses: parsed.data.maxWarmProcesses,
    cluster: parsed.data.cluster,
    webhooks: parsed.data.webhooks ?? [],
  };
}
