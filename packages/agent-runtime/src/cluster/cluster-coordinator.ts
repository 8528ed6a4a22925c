import {
  hasErrorCode,
  leaseLostError,
  noopLogger,
  ownerUnreachableError,
  type Logger,
  type PersistenceAdapter,
  type PersistenceExtensions,
  type Sandbox,
  type SessionLease,
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
import type { ClusterSettings } from './cluster-settings.js';
import { DeferredSessionEventLog } from './deferred-event-log.js';
import { fencedPersistence } from './fenced-persistence.js';
import { fencedTurnQueue } from './fenced-turn-queue.js';
import { canReattach, REATTACH_PROBE_TIMEOUT_MS } from './live-sandbox.js';

/** Sandbox label keys (Modal tags) every cluster node sets. */
export const DEPLOYMENT_LABEL = 'agent-runtime-deployment';
export const NODE_LABEL = 'agent-runtime-node';

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
  private readonly leases = new Map<string, SessionLease>();
  /** Token of the last lease held per session: kept after a loss, so late writes are refused. */
  private readonly tokens = new Map<string, number>();
  /** Leases lost (not handed over) of sessions still being stopped here: their storage writes are refused. */
  private readonly lost = new Map<string, SessionLease>();
  private readonly taking = new Map<string, Promise<boolean>>();
  private engine: CoordinatedEngine | undefined;
  private pool: pg.Pool | undefined;
  private nats: NatsConnection | undefined;
  private ownership: PostgresSessionOwnership | undefined;
  private registry: PostgresNodeRegistry | undefined;
  private router: SessionCommandRouter | undefined;
  private notifications: ClusterNotifications | undefined;
  private stopNotifications: (() => Promise<void>) | undefined;
  private follower: SessionEventFollower | undefined;
  private timer: unknown;
  private ticking: Promise<void> | undefined;
  private takingOver: Promise<void> | undefined;
  private stopping = false;
  /** Set once the leases are handed over: no more beats or renewals (they go on while draining). */
  private left = false;

  constructor(private readonly options: ClusterCoordinatorOptions) {
    this.settings = options.settings;
    this.nodeId = options.settings.nodeId;
    this.logger = options.logger ?? noopLogger;
    this.clock = options.clock ?? systemClock;
    this.sandboxLabels = { [DEPLOYMENT_LABEL]: this.settings.deploymentId, [NODE_LABEL]: this.nodeId };
    this.turnQueueStore = fencedTurnQueue(options.turnQueueStore, { pool: () => this.requirePool(), schema: this.settings.schema, leaseOf: (sessionId) => this.leaseOf(sessionId) });
  }

  /**
   * The persistence this node's engine must write through: the owner's session writes fenced by
   * its lease (`LEASE_LOST` once another node took the session); see `fencedPersistence`. Writes
   * for a session this node does not run (an upload stored here for the owner) are not fenced.
   */
  fencedPersistence(persistence: PersistenceAdapter & PersistenceExtensions): PersistenceAdapter & PersistenceExtensions {
    return fencedPersistence(persistence, {
      pool: () => {
        if (!this.pool) throw new Error('ClusterCoordinator.start() was not called');
        return this.pool;
      },
      schema: this.settings.schema,
      leaseOf: (sessionId) => this.leases.get(sessionId) ?? this.lost.get(sessionId),
      onLeaseLost: (lease) => {
        this.lose(lease).catch((error: unknown) => this.logger.warn({ sessionId: lease.sessionId, error: String(error) }, 'cluster: stopping a lost session failed'));
      },
    });
  }

  /** Sessions this node runs now. */
  ownedSessions(): string[] {
    return [...this.leases.keys()];
  }

  owns(sessionId: string): boolean {
    return this.leases.has(sessionId);
  }

  whileOwner<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    return withFencedTransaction(this.requirePool(), this.settings.schema, this.leaseOf(sessionId), () => work());
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
      fencingTokenOf: (sessionId) => this.tokens.get(sessionId),
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
      handler: (command) => this.runRouted(command),
      logger: this.logger,
    });
    await this.router.start();
    await this.reapOrphans();
    // Sessions nobody runs are taken in the background: the node serves its clients meanwhile.
    this.schedule(0);
    this.logger.info({ nodeId: this.nodeId, deploymentId: settings.deploymentId, owned: this.leases.size }, 'cluster: node joined');
  }

  async route(command: SessionCommand): Promise<unknown> {
    const engine = this.requireEngine();
    const { sessionId } = command;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await this.taking.get(sessionId);
      if (this.leases.has(sessionId)) return engine.runLocally(command);
      let routed;
      try {
        routed = await this.router!.send(command);
      } catch (error) {
        if (hasErrorCode(error, 'LEASE_LOST')) continue; // it moved twice meanwhile: look again
        throw error;
      }
      if (routed.route !== 'unowned') return routed.result;
      if (command.type === 'interrupt') return { interrupted: false }; // nobody runs it: no turn to stop
      // Nobody runs it: the stored files are all there is (the next sandbox restore has them), and a read goes to storage.
      if (command.type === 'filesStored') return { applied: 0 };
      if (command.type === 'readFile') return {};
      if (this.stopping && command.type === 'message') {
        // Leaving: store it; the node that takes the session next runs it.
        const { turn, duplicate } = await this.options.turnQueueStore.enqueue(sessionId, command.request, new Date(this.clock.now()).toISOString());
        return { success: true, sessionId, queued: duplicate ? turn.state === 'queued' : true, ...(command.request.clientMessageId ? { clientMessageId: command.request.clientMessageId } : {}) };
      }
      if (await this.take(sessionId)) return engine.runLocally(command);
    }
    throw ownerUnreachableError(sessionId, undefined, this.settings.commandTimeoutMs);
  }

  async created(sessionId: string): Promise<void> {
    const lease = await this.ownership!.acquire(sessionId, this.nodeId, this.settings.leaseTtlMs);
    if (!lease) throw leaseLostError(sessionId, 0);
    this.hold(lease);
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
    await this.takingOver; // no session is being taken while the others are handed over
    const engine = this.engine;
    const began = Date.now();
    const handedOver = this.leases.size;
    if (engine) {
      // Idle sessions end at once; running turns get drainTimeoutMs. Queued messages stay stored.
      await Promise.all(
        [...this.leases.keys()].map(async (sessionId) => {
          await engine.release(sessionId, this.settings.drainTimeoutMs).catch((error: unknown) =>
            this.logger.warn({ sessionId, error: String(error) }, 'cluster: draining a session failed'),
          );
          const lease = this.leases.get(sessionId);
          this.leases.delete(sessionId);
          if (lease) await this.ownership?.release(lease).catch(() => undefined);
        }),
      );
    }
    this.logger.info({ nodeId: this.nodeId, sessions: handedOver, drainMs: Date.now() - began }, 'cluster: sessions handed over');
    this.left = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    await this.takingOver;
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

  /** The session's lease as this node holds it; after a loss, the last token it held (so its writes are refused). */
  private leaseOf(sessionId: string): SessionLease {
    return this.leases.get(sessionId) ?? { sessionId, nodeId: this.nodeId, fencingToken: this.tokens.get(sessionId) ?? 0, acquiredAt: '', expiresAt: '' };
  }

  private requireEngine(): CoordinatedEngine {
    if (!this.engine || !this.router) throw new Error('ClusterCoordinator.start() was not called');
    return this.engine;
  }

  private hold(lease: SessionLease): void {
    this.lost.delete(lease.sessionId);
    this.leases.set(lease.sessionId, lease);
    this.tokens.set(lease.sessionId, lease.fencingToken);
  }

  /** A command another node routed here: run it while this node holds the lease, else LEASE_LOST (the sender looks again). */
  private async runRouted(command: SessionCommand): Promise<unknown> {
    await this.taking.get(command.sessionId);
    if (!this.leases.has(command.sessionId)) throw leaseLostError(command.sessionId, this.tokens.get(command.sessionId) ?? 0);
    return this.requireEngine().runLocally(command);
  }

  /**
   * Acquire the session and load it here; false when another live node has it. One attempt at a
   * time per session. A sandbox the dead owner left running (`found`, else looked up once the
   * lease is ours — a command can reach this node before the takeover tick does) is reattached
   * when it answers (see `canReattach`), else saved from and terminated.
   */
  private take(sessionId: string, found?: Sandbox): Promise<boolean> {
    const running = this.taking.get(sessionId);
    if (running) return running;
    const attempt = (async () => {
      if (this.stopping) return false;
      const lease = await this.ownership!.acquire(sessionId, this.nodeId, this.settings.leaseTtlMs);
      if (!lease) return false;
      this.hold(lease);
      // Looked up and probed only once the lease is ours: nodes that lose the race never touch the sandbox.
      const leftSandbox = found ?? (await this.orphanSandboxOf(sessionId));
      const live = leftSandbox !== undefined && (await canReattach(leftSandbox, REATTACH_PROBE_TIMEOUT_MS, this.clock));
      try {
        await this.requireEngine().adopt(sessionId, leftSandbox ? (live ? { liveSandbox: leftSandbox } : { orphanSandbox: leftSandbox }) : {});
      } catch (error) {
        this.leases.delete(sessionId);
        await this.ownership!.release(lease).catch(() => undefined);
        throw error;
      }
      this.logger.info({ sessionId, fencingToken: lease.fencingToken, ...(leftSandbox ? { sandboxId: leftSandbox.id, reattached: live } : {}) }, 'cluster: took the session');
      return true;
    })().finally(() => this.taking.delete(sessionId));
    this.taking.set(sessionId, attempt);
    return attempt;
  }

  /** Sessions with pending work (turns queued or cut by a dead node, requests waiting for a person) that no live node owns. */
  private async takeOver(): Promise<void> {
    if (this.stopping) return;
    const pending = await this.requireEngine().sessionsWithPendingWork();
    for (const sessionId of pending) {
      if (this.stopping) return;
      if (this.leases.has(sessionId)) continue;
      if (await this.ownership!.owner(sessionId)) continue;
      // The dead owner's sandbox is looked up by `take` once the lease is ours.
      await this.take(sessionId).catch((error: unknown) => {
        this.logger.warn({ sessionId, error: String(error) }, 'cluster: taking over a session failed');
        return false;
      });
    }
  }

  /**
   * A sandbox of the dead owner that the provider can still reach (Modal: by the deployment and
   * session tags; a local sandbox died with its node): `take` reattaches to it, or saves its
   * newest transcripts and files before the session resumes in a new sandbox.
   */
  private async orphanSandboxOf(sessionId: string): Promise<Sandbox | undefined> {
    try {
      const engine = this.requireEngine();
      const found = await engine.listSandboxes({ [DEPLOYMENT_LABEL]: this.settings.deploymentId, sessionId });
      if (found.length === 0) return undefined;
      const live = new Set((await this.registry!.liveNodes(this.settings.deploymentId)).map((node) => node.nodeId));
      const orphan = found.find((info) => info.running && !live.has(info.labels[NODE_LABEL] ?? ''));
      return orphan ? await engine.attachSandbox(orphan.id) : undefined;
    } catch (error) {
      this.logger.warn({ sessionId, error: String(error) }, 'cluster: looking for the dead owner\'s sandbox failed');
      return undefined;
    }
  }

  /**
   * This deployment's sandboxes whose session no live node owns (a crash left them): their session
   * is taken with them (reattached, or saved from and reaped); one without a session is reaped.
   */
  private async reapOrphans(): Promise<void> {
    const engine = this.requireEngine();
    let orphans;
    try {
      orphans = await engine.listSandboxes({ [DEPLOYMENT_LABEL]: this.settings.deploymentId });
    } catch (error) {
      this.logger.warn({ error: String(error) }, 'cluster: could not list sandboxes left by an earlier run');
      return;
    }
    if (orphans.length === 0) return;
    const live = new Set((await this.registry!.liveNodes(this.settings.deploymentId)).map((node) => node.nodeId));
    for (const orphan of orphans) {
      const holder = orphan.labels[NODE_LABEL];
      if (holder !== undefined && holder !== this.nodeId && live.has(holder)) continue; // a live node's sandbox
      if (orphan.sessionId !== undefined && (await this.ownership!.owner(orphan.sessionId))) continue;
      try {
        const sandbox = await engine.attachSandbox(orphan.id);
        if (!sandbox) continue;
        if (orphan.sessionId === undefined) {
          await sandbox.terminate();
          this.logger.info({ sandboxId: orphan.id }, 'cluster: reaped a sandbox left by an earlier run');
          continue;
        }
        // Not taken: another node has the session now (and may be reattaching to this sandbox).
        const taken = await this.take(orphan.sessionId, sandbox);
        this.logger.info({ sandboxId: orphan.id, sessionId: orphan.sessionId, taken }, 'cluster: took over the session of a sandbox left by an earlier run');
      } catch (error) {
        this.logger.warn({ sandboxId: orphan.id, error: String(error) }, 'cluster: could not reap a sandbox left by an earlier run');
      }
    }
  }

  private schedule(delayMs = Math.max(100, Math.floor(this.settings.leaseTtlMs / 3))): void {
    if (this.left) return; // while draining, leases are still renewed (takeovers stop at once)
    this.timer = this.clock.setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule();
      });
    }, delayMs);
  }

  /** Every third of the TTL: beat, renew every lease (a lost one stops its session here), take what nobody runs. */
  private async tick(): Promise<void> {
    const { leaseTtlMs, deploymentId } = this.settings;
    try {
      if (!(await this.registry!.heartbeat(this.nodeId, leaseTtlMs))) {
        this.logger.warn({ nodeId: this.nodeId }, 'cluster: this node was declared dead; registering again');
        await this.registry!.register({ nodeId: this.nodeId, deploymentId }, leaseTtlMs);
      }
      await Promise.all([...this.leases.values()].map((lease) => this.renew(lease)));
    } catch (error) {
      this.logger.warn({ error: String(error) }, 'cluster: heartbeat or renewal failed');
    }
    // Taking sessions over can take a while (each is loaded and recovered): never in the way of renewals.
    if (this.stopping) return;
    this.takingOver ??= this.takeOver()
      .catch((error: unknown) => this.logger.warn({ error: String(error) }, 'cluster: takeover failed'))
      .finally(() => {
        this.takingOver = undefined;
      });
  }

  private async renew(lease: SessionLease): Promise<void> {
    const renewed = await this.ownership!.renew(lease, this.settings.leaseTtlMs);
    if (this.leases.get(lease.sessionId) !== lease) return; // released or replaced meanwhile
    if (renewed) {
      this.leases.set(lease.sessionId, renewed);
      return;
    }
    await this.lose(lease);
  }

  /**
   * Another node took the session (a renewal or a fenced write was refused): stop it here at once.
   * While it stops, its writes still meet the lost lease and are refused; once it stopped, nothing
   * of the old owner writes any more, and writes for the session here (uploads) go through unfenced.
   */
  private async lose(lease: SessionLease): Promise<void> {
    const { sessionId } = lease;
    if (this.leases.get(sessionId)?.fencingToken !== lease.fencingToken) return; // released, replaced, or already lost
    this.leases.delete(sessionId);
    this.lost.set(sessionId, lease);
    this.logger.warn({ sessionId, fencingToken: lease.fencingToken }, 'cluster: lease lost; stopping the session on this node');
    try {
      await this.engine?.abandon(sessionId);
    } finally {
      if (this.lost.get(sessionId) === lease) this.lost.delete(sessionId);
    }
  }
}
