import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { AgentRuntimeError, type AgentArchitecture, type Logger, type PersistenceExtensions, type RuntimeConfig, type SandboxProvider } from '@agent-runtime/core';
import { createLocalSandboxProvider, type LocalSandboxProviderOptions } from '@agent-runtime/sandbox-local';
import { createModalSandboxProvider, MODAL_IMAGE_AGENT_PATHS, type ModalSandboxProvider } from '@agent-runtime/sandbox-modal';
import { SessionManager } from '@agent-runtime/session-engine';
import { createAgentRuntimeServer, traceSandboxProvider, type CreateAgentRuntimeServerOptions } from '@agent-runtime/transport-fastify';
import { createWebhookDispatcher, registerWebhookMetrics, type WebhookDispatcher } from '@agent-runtime/webhooks';
import { isLoopbackHost, resolveListenHost } from './listen-host.js';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { maxWarmProcessesFor, validateRuntimeConfig, type ResolvedRuntimeConfig } from './validate-config.js';
import { ClusterCoordinator } from './cluster/cluster-coordinator.js';
import { resolveClusterSettings, type ClusterSettings } from './cluster/cluster-settings.js';

/** Model API keys the runtime's environment holds: redacted from blocks and stored transcripts. */
const SECRET_ENVIRONMENT_KEYS = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'GEMINI_API_KEY', 'GOOGLE_API_KEY'];

function environmentSecrets(): string[] {
  return SECRET_ENVIRONMENT_KEYS.flatMap((key) => {
    const value = process.env[key];
    return value === undefined || value === '' ? [] : [value];
  });
}

/** `RuntimeConfig` plus the HTTP/WebSocket server's hooks (auth, CORS). */
export interface AgentRuntimeOptions extends RuntimeConfig {
  /** Options of the HTTP/WebSocket server: authentication, session authorisation, CORS, limits. */
  server?: Omit<CreateAgentRuntimeServerOptions, 'engine' | 'logger'>;
  /** Add your own routes or plugins (e.g. static files) before the server listens. */
  configureServer?: (app: FastifyInstance) => void | Promise<void>;
  /**
   * Options of the default local sandbox (when neither `sandbox` nor `modal` is set): `network`
   * (`'none'` by default — agents reach only their model API and each profile's
   * `network.allowedHosts` through an egress proxy that holds the keys; `'shared'` is a loud
   * opt-in), `defaultLimits` (processes, memory, file size), `sandboxUids`.
   */
  localSandbox?: Omit<LocalSandboxProviderOptions, 'dataDir' | 'logger'>;
  /**
   * Listen on a non-loopback `host` without `server.authenticate`. Without this, such a config is
   * refused (`INVALID_CONFIG`): anyone who reaches the port could read and drive every session.
   * With it, the runtime logs a warning at start. Default false.
   */
  allowUnauthenticatedRemote?: boolean;
}

/**
 * The runtime: a session manager running agents in sandboxes, served over REST and WebSocket on
 * `websocketPort`. The constructor validates the config (throwing `INVALID_CONFIG` naming the
 * field) and does no I/O; `start()` loads stored sessions and listens.
 */
export class AgentRuntime {
  readonly config: ResolvedRuntimeConfig;
  readonly logger: Logger;
  readonly sessions: SessionManager;
  readonly sandbox: SandboxProvider;
  readonly architectures: AgentArchitecture[];
  /** Cluster mode (`cluster`, or `DATABASE_URL` + `NATS_URL`): this node's part in it; undefined on one node. */
  readonly cluster: ClusterCoordinator | undefined;
  private server: FastifyInstance | undefined;
  private readonly serverOptions: AgentRuntimeOptions['server'];
  private readonly configureServer: AgentRuntimeOptions['configureServer'];
  private readonly localSandbox: AgentRuntimeOptions['localSandbox'];
  /** The interface `start()` listens on. */
  readonly host: string;
  /** Sends `webhooks` deliveries (absent without `webhooks`); `stats` counts them. */
  readonly webhooks: WebhookDispatcher | undefined;
  private stopWebhooks: (() => void) | undefined;

  constructor(config: AgentRuntimeOptions) {
    this.config = validateRuntimeConfig(config);
    this.serverOptions = config.server;
    this.configureServer = config.configureServer;
    this.localSandbox = config.localSandbox;
    this.host = resolveListenHost(this.config.host, config.server?.authenticate !== undefined, config.allowUnauthenticatedRemote === true);
    this.logger = this.config.logger ?? pino({ level: this.config.logLevel, name: 'agent-runtime' });
    const clusterSettings = resolveClusterSettings(this.config.cluster);
    this.sandbox = this.config.sandbox ?? this.defaultSandbox(clusterSettings);
    this.architectures = this.config.architectures ?? this.defaultArchitectures();
    const persistence = this.config.persistence as typeof this.config.persistence & PersistenceExtensions;
    let clusterOptions = {};
    let enginePersistence: typeof persistence = persistence;
    if (clusterSettings) {
      const turnQueueStore = persistence.turnQueueStore?.();
      if (!turnQueueStore) {
        throw new AgentRuntimeError('INVALID_CONFIG', 'Cluster mode needs a persistence adapter with a shared durable turn queue: pass createPostgresPersistence() on the cluster database.', {
          details: { field: 'persistence' },
        });
      }
      this.cluster = new ClusterCoordinator({ settings: clusterSettings, turnQueueStore, logger: this.logger });
      clusterOptions = { coordinator: this.cluster, eventLog: this.cluster.eventLog, turnQueueStore: this.cluster.turnQueueStore };
      // The owner's transcript, file, record and approval writes carry its lease (LEASE_LOST once taken).
      enginePersistence = this.cluster.fencedPersistence(persistence);
    } else {
      this.cluster = undefined;
    }
    this.sessions = new SessionManager({
      ...clusterOptions,
      persistence: enginePersistence,
      sandboxProvider: traceSandboxProvider(this.sandbox),
      architectures: this.architectures,
      idleTimeoutMs: this.config.idleTimeoutMs,
      syncIntervalMs: this.config.syncIntervalMs,
      ...(this.config.turnTimeoutMs === undefined ? {} : { turnTimeoutMs: this.config.turnTimeoutMs }),
      ...(this.config.maxQueuedMessages === undefined ? {} : { maxQueuedMessages: this.config.maxQueuedMessages }),
      secretValues: [...this.config.secretValues, ...environmentSecrets()],
      logger: this.logger,
      ...(Object.keys(this.config.warmPoolSizes).length > 0
        ? { warmPool: { sizes: this.config.warmPoolSizes, agentProcess: this.config.warmPoolAgentProcess } }
        : {}),
    });
    this.webhooks =
      this.config.webhooks.length === 0
        ? undefined
        : createWebhookDispatcher({ webhooks: this.config.webhooks, logger: this.logger.child?.({ component: 'webhooks' }) ?? this.logger });
  }

  /** The address the server listens on, once started. */
  get url(): string | undefined {
    const address = this.server?.server.address();
    if (!address || typeof address === 'string') return address ?? undefined;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}`;
  }

  /** The Fastify instance (to add your own routes before `start()` resolves, or for tests). */
  get http(): FastifyInstance | undefined {
    return this.server;
  }

  /** Load stored sessions, then serve REST + WebSocket on `websocketPort`. */
  async start(): Promise<void> {
    if (this.server) return;
    // On Modal, build (or find) the image now, with progress in the logs; the first create waits for it.
    if (this.sandbox.name === 'modal' && !this.config.sandbox) {
      (this.sandbox as ModalSandboxProvider).start().catch((error: unknown) => this.logger.error({ error: String(error) }, 'Modal image not ready'));
    }
    // Subscribed before the sessions start: a request re-presented after a restart is delivered too.
    const unsubscribe = this.webhooks?.attach(this.sessions.events);
    this.stopWebhooks = () => {
      unsubscribe?.();
      this.webhooks?.close();
    };
    await this.sessions.start();
    const serverOptions = this.serverOptions ?? {};
    const allowedHosts =
      serverOptions.allowedHosts === 'any' || isLoopbackHost(this.host) || this.host === '0.0.0.0' || this.host === '::'
        ? serverOptions.allowedHosts
        : [...(serverOptions.allowedHosts ?? []), this.host];
    const server = createAgentRuntimeServer({
      ...serverOptions,
      // Cluster mode: a stopping node drops its keep-alive connections at once, so clients go to
      // another node instead of being served by one that is about to hand its sessions over
      // (a retried message is deduplicated by clientMessageId).
      ...(this.cluster ? { fastify: { forceCloseConnections: true, ...serverOptions.fastify } } : {}),
      ...(allowedHosts === undefined ? {} : { allowedHosts }),
      engine: this.sessions,
      logger: this.logger,
    });
    if (!serverOptions.authenticate && !isLoopbackHost(this.host)) {
      this.logger.warn(
        { host: this.host, allowUnauthenticatedRemote: true },
        'listening beyond loopback WITHOUT authentication: anyone who reaches this port can read and drive every session',
      );
    }
    const webhooks = this.webhooks;
    if (webhooks) {
      // The plugin's decoration exists once it has loaded: count deliveries on its /metrics registry.
      server.addHook('onReady', async () => {
        const registry = server.agentRuntime.metrics?.registry;
        if (registry) registerWebhookMetrics(webhooks, registry);
      });
    }
    try {
      await this.configureServer?.(server);
      await server.listen({ port: this.config.websocketPort, host: this.host });
    } catch (error) {
      await this.sessions.stop();
      this.stopWebhooks?.();
      throw error;
    }
    this.server = server;
    this.logger.info(
      { url: this.url, sandbox: this.sandbox.name, architectures: this.architectures.map((a) => a.type) },
      'agent runtime started',
    );
  }

  /** Graceful stop: close connections, interrupt turns, persist everything, stop sandboxes. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.close();
    await this.sessions.stop();
    // After the sessions stopped: their last turn ends and idle statuses are queued; deliveries
    // still pending are abandoned (logged as dropped) rather than holding up the stop.
    this.stopWebhooks?.();
    this.stopWebhooks = undefined;
    this.logger.info({}, 'agent runtime stopped');
  }

  /** Both agents, configured from the environment; on Modal with the CLIs of the default image. */
  private defaultArchitectures(): AgentArchitecture[] {
    // The default image (custom dockerfileCommands extend it) has the CLIs at MODAL_IMAGE_AGENT_PATHS.
    const modal = this.config.modal;
    const onModal = !this.config.sandbox && modal !== undefined && modal.image === undefined && modal.imageName === undefined;
    const claudeCap = maxWarmProcessesFor(this.config, 'claude-agent-sdk');
    const geminiCap = maxWarmProcessesFor(this.config, 'gemini-cli');
    return [
      createClaudeArchitecture({
        logger: this.logger,
        ...(claudeCap === undefined ? {} : { maxWarmProcesses: claudeCap }),
        ...(onModal ? { executablePath: MODAL_IMAGE_AGENT_PATHS.claudeExecutable } : {}),
      }),
      createGeminiArchitecture({
        logger: this.logger,
        ...(geminiCap === undefined ? {} : { maxWarmProcesses: geminiCap }),
        ...(onModal ? { nodePath: MODAL_IMAGE_AGENT_PATHS.node, cliEntryPath: MODAL_IMAGE_AGENT_PATHS.geminiEntry } : {}),
      }),
    ];
  }

  private defaultSandbox(cluster: ClusterSettings | undefined): SandboxProvider {
    if (this.config.modal) {
      // One deployment per host and dataDir (per cluster deployment in cluster mode): orphan reaping never touches another runtime's sandboxes.
      const deployment =
        this.config.modal.deployment ?? cluster?.deploymentId ?? `${hostname()}-${createHash('sha256').update(resolve(this.config.dataDir)).digest('hex').slice(0, 8)}`;
      return createModalSandboxProvider({ ...this.config.modal, deployment, logger: this.logger });
    }
    if (this.localSandbox?.network === 'shared') {
      this.logger.warn({ sandbox: 'local' }, "agent runtime: local sandboxes SHARE THE HOST'S NETWORK (localSandbox.network: 'shared'): agents can reach this runtime's port and every service on 127.0.0.1");
    }
    return createLocalSandboxProvider({ ...this.localSandbox, dataDir: resolve(this.config.dataDir), logger: this.logger });
  }
}
