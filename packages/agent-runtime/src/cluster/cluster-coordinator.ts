import {
  leaseLostError,
  noopLogger,
  type Logger,
  type PersistenceAdapter,
  type PersistenceExtensions,
  type SessionListData,
  type TurnQueueStore,
} from '@agent-runtime/core';
import {
  ClusterNotifications,
  JetStreamSessionEventLog,
  PostgresNodeRegistry,
  PostgresSessionOwnership,
  SessionCommandRouter,
  migrateClusterSchema,
  withFencedTransaction,
  type SessionEventFollower,
} from '@agent-runtime/cluster';
import { systemClock, type Clock, type CoordinatedEngine, type SessionCommand, type SessionCoordinator } from '@agent-runtime/session-engine';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { ClusterCommandRouting } from './cluster-command-routing.js';
import type { ClusterSettings } from './cluster-settings.js';
import { DeferredSessionEventLog } from './deferred-event-log.js';
import { fencedPersistence } from './fenced-persistence.js';
import { fencedTurnQueue } from './fenced-turn-queue.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { DEPLOYMENT_LABEL, NODE_LABEL } from './sandbox-labels.js';
import { SessionLeases } from './session-leases.js';
import { SessionTakeover } from './session-takeover.js';

export { DEPLOYMENT_LABEL, NODE_LABEL } from './sandbox-labels.js';

export interface ClusterCoordinatorOptions {
  settings: ClusterSettings;
  /** The shared durable turn queue (the PostgreSQL adapter's): where pending work is found. */
  turnQueueStore: TurnQueueStore;
  logger?: Logger;
  clock?: Clock;
}

/**
 * One runtime node of a cluster: registers and beats in PostgreSQL, holds the leases of the
 * sessions it runs (renewed every third of the TTL; a lost one stops the session here at once),
 * follows every session's events on JetStream for its clients, answers commands routed to it over
 * NATS, and takes over sessions with pending work that no live node owns (a dead node's).
 */
export class ClusterCoordinator implements SessionCoordinator {
  readonly sandboxLabels: Record<string, string>;
  /** The engine's event log: JetStream once `start()` connected (fencing tokens from this node's leases). */
  readonly eventLog = new DeferredSessionEventLog();
  /** The engine's turn queue: the shared one, with turn starts and ends fenced by this node's leases. */
  readonly turnQueueStore: TurnQueueStore;
  readonly nodeId: string;
  private readonly settings: ClusterSettings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly leases: SessionLeases;
  private readonly takeover: SessionTakeover;
  private readonly commands: ClusterCommandRouting;
  private readonly heartbeat: NodeHeartbeat;
  private engine: CoordinatedEngine | undefined;
  private pool: pg.Pool | undefined;
  private nats: NatsConnection | undefined;
  private ownership: PostgresSessionOwnership | undefined;
  private registry: PostgresNodeRegistry | undefined;
  private router: SessionCommandRouter | undefined;
  private notifications: ClusterNotifications | undefined;
  private stopNotifications: (() => Promise<void>) | undefined;
  private follower: SessionEventFollower | undefined;
  private stopping = false;

  constructor(private readonly options: ClusterCoordinatorOptions) {
    this.settings = options.settings;
    this.nodeId = options.settings.nodeId;
    this.logger = options.logger ?? noopLogger;
    this.clock = options.clock ?? systemClock;
    this.sandboxLabels = { [DEPLOYMENT_LABEL]: this.settings.deploymentId, [NODE_LABEL]: this.nodeId };
    const logger = this.logger;
    const clock = this.clock;
    const isStopping = () => this.stopping;
    const ownership = () => this.ownership!;
    this.leases = new SessionLeases({
      nodeId: this.nodeId,
      leaseTtlMs: this.settings.leaseTtlMs,
      ownership,
      abandon: async (sessionId) => this.engine?.abandon(sessionId),
      logger,
    });
    const engine = () => this.requireEngine();
    const registry = () => this.registry!;
    this.takeover = new SessionTakeover({ settings: this.settings, leases: this.leases, engine, ownership, registry, isStopping, clock, logger });
    this.commands = new ClusterCommandRouting({
      settings: this.settings,
      leases: this.leases,
      takeover: this.takeover,
      requireEngine: engine,
      router: () => this.router!,
      turnQueueStore: options.turnQueueStore,
      isStopping,
      clock,
    });
    this.heartbeat = new NodeHeartbeat({
      settings: this.settings,
      registry,
      renewLeases: () => this.leases.renewAll(),
      takeOver: () => this.takeover.takeOverInBackground(),
      isStopping,
      clock,
      logger,
    });
    this.turnQueueStore = fencedTurnQueue(options.turnQueueStore, (sessionId, work) => this.whileOwner(sessionId, work));
  }

  /**
   * The persistence this node's engine must write through: the owner's session writes fenced by
   * its lease (`LEASE_LOST` once another node took the session); see `fencedPersistence`. Writes
   * for a session this node does not run (an upload stored here for the owner) are not fenced.
   */
  fencedPersistence(persistence: PersistenceAdapter & PersistenceExtensions): PersistenceAdapter & PersistenceExtensions {
    return fencedPersistence(persistence, {
      pool: () => this.requirePool(),
      schema: this.settings.schema,
      leaseOf: (sessionId) => this.leases.fencingLeaseOf(sessionId),
      onLeaseLost: (lease) => {
        this.leases.lose(lease).catch((error: unknown) => this.logger.warn({ sessionId: lease.sessionId, error: String(error) }, 'cluster: stopping a lost session failed'));
      },
    });
  }

  /** Sessions this node runs now. */
  ownedSessions(): string[] {
    return this.leases.sessionIds();
  }

  owns(sessionId: string): boolean {
    return this.leases.owns(sessionId);
  }

  whileOwner<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return withFencedTransaction(this.requirePool(), this.settings.schema, this.leases.leaseOf(sessionId), work);
  }

  async start(engine: CoordinatedEngine): Promise<void> {
    const { settings } = this;
    this.engine = engine;
    this.pool = new pg.Pool({ connectionString: settings.databaseUrl, max: 10 });
    this.pool.on('error', (error) => this.logger.warn({ error: error.message }, 'cluster: idle PostgreSQL connection failed'));
    await migrateClusterSchema(this.pool, settings.schema);
    this.nats = await connect({ servers: settings.natsUrl, timeout: 5_000, name: this.nodeId });
    const log = new JetStreamSessionEventLog({
      connection: this.nats,
      streamName: settings.streamName,
      subjectPrefix: settings.subjectPrefix,
      fencingTokenOf: (sessionId) => this.leases.tokenOf(sessionId),
    });
    await log.ensureStream();
    this.eventLog.resolve(log);
    this.ownership = new PostgresSessionOwnership({ pool: this.pool, schema: settings.schema });
    this.registry = new PostgresNodeRegistry({ pool: this.pool, schema: settings.schema });
    await this.registry.register({ nodeId: this.nodeId, deploymentId: settings.deploymentId }, settings.leaseTtlMs);
    // Follow first, then read each session's latest seq: nothing stored in between is missed.
    this.follower = log.followAll({
      onEvent: (event) => engine.showStoredEvent(event),
      onError: (error) => this.logger.error({ error: String(error) }, 'cluster: following session events stopped'),
    });
    await this.follower.ready;
    await engine.openLogs();
    this.notifications = new ClusterNotifications({ connection: this.nats, nodeId: this.nodeId, subjectPrefix: settings.subjectPrefix });
    this.stopNotifications = await this.notifications.subscribe(
      (notification) => {
        if (notification.kind === 'sessions:list') engine.showRecords(notification.sessions);
      },
      (error) => this.logger.warn({ error: String(error) }, 'cluster: a malformed notification was dropped'),
    );
    this.router = new SessionCommandRouter({
      connection: this.nats,
      ownership: this.ownership,
      nodeId: this.nodeId,
      subjectPrefix: settings.subjectPrefix,
      timeoutMs: settings.commandTimeoutMs,
      handler: (command) => this.commands.runRouted(command),
      logger: this.logger,
    });
    await this.router.start();
    await this.takeover.reapOrphans();
    // Sessions nobody runs are taken in the background: the node serves its clients meanwhile.
    this.heartbeat.schedule(0);
    this.logger.info({ nodeId: this.nodeId, deploymentId: settings.deploymentId, owned: this.leases.size }, 'cluster: node joined');
  }

  route(command: SessionCommand): Promise<unknown> {
    return this.commands.route(command);
  }

  async created(sessionId: string): Promise<void> {
    const lease = await this.ownership!.acquire(sessionId, this.nodeId, this.settings.leaseTtlMs);
    if (!lease) throw leaseLostError(sessionId, 0);
    this.leases.hold(lease);
  }

  announced(records: readonly SessionListData[]): void {
    if (!this.notifications || records.length === 0) return;
    try {
      this.notifications.publish({ kind: 'sessions:list', sessions: [...records] });
    } catch (error) {
      this.logger.warn({ error: String(error) }, 'cluster: announcing sessions failed');
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.takeover.backgroundSettled(); // no session is being taken while the others are handed over
    const engine = this.engine;
    const began = Date.now();
    const handedOver = this.leases.size;
    if (engine) {
      // Idle sessions end at once; running turns get drainTimeoutMs. Queued messages stay stored.
      await Promise.all(
        this.leases.sessionIds().map(async (sessionId) => {
          await engine.release(sessionId, this.settings.drainTimeoutMs).catch((error: unknown) =>
            this.logger.warn({ sessionId, error: String(error) }, 'cluster: draining a session failed'),
          );
          const lease = this.leases.get(sessionId);
          this.leases.drop(sessionId);
          if (lease) await this.ownership?.release(lease).catch(() => undefined);
        }),
      );
    }
    this.logger.info({ nodeId: this.nodeId, sessions: handedOver, drainMs: Date.now() - began }, 'cluster: sessions handed over');
    await this.heartbeat.stop();
    await this.takeover.backgroundSettled();
    await this.router?.stop().catch(() => undefined);
    await this.stopNotifications?.().catch(() => undefined);
    await this.follower?.stop().catch(() => undefined);
    await this.registry?.deregister(this.nodeId).catch(() => undefined);
    await this.nats?.drain().catch(() => undefined);
    await this.pool?.end().catch(() => undefined);
    this.logger.info({ nodeId: this.nodeId }, 'cluster: node left');
  }

  // --- internals ---

  private requirePool(): pg.Pool {
    if (!this.pool) throw new Error('ClusterCoordinator.start() was not called');
    return this.pool;
  }

  private requireEngine(): CoordinatedEngine {
    if (!this.engine || !this.router) throw new Error('ClusterCoordinator.start() was not called');
    return this.engine;
  }
}
