import { randomBytes } from 'node:crypto';
import type { AgentEvent, BusEvent, Logger } from '@agent-runtime/core';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { SessionManager } from '@agent-runtime/session-engine';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';
import { PostgresSessionOwnership } from '@agent-runtime/cluster';
import pg from 'pg';
import { ClusterCoordinator } from './cluster-coordinator.js';
import { resolveClusterSettings } from './cluster-settings.js';

/**
 * Test support: runtime nodes in one process (each its own SessionManager, fake sandbox provider,
 * PostgreSQL pools and NATS connection) on the real PostgreSQL and NATS JetStream, with a scripted
 * agent. A message starting with `ask` asks permission for a tool first and replies with the
 * decision; every run is recorded with the node that ran it.
 */
export function createClusterHarness(label: string) {
  const DATABASE_URL = process.env.AGENT_RUNTIME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const NATS_URL = process.env.AGENT_RUNTIME_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
  const unique = `${label}_${process.pid}_${randomBytes(3).toString('hex')}`;
  const schema = `cluster_${unique}`;
  const clusterSchema = `cluster_leases_${unique}`;
  const ranOn: { node: string; sessionId: string; message: string }[] = [];
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  // The lease table as any node reads it (who owns a session now, if anyone).
  const ownership = new PostgresSessionOwnership({ pool, schema: clusterSchema });
  const nodes: ClusterTestNode[] = [];

  function makeNode(node: string): ClusterTestNode {
    const persistence = createPostgresPersistence({ connectionString: DATABASE_URL, schema, poolConfig: { max: 4 } });
    const settings = resolveClusterSettings({
      databaseUrl: DATABASE_URL, natsUrl: NATS_URL, nodeId: node, deploymentId: `it-${unique}`, schema: clusterSchema,
      streamName: `AR_${unique.toUpperCase()}`, subjectPrefix: `ar-${unique.replaceAll('_', '-')}`,
      leaseTtlMs: 1_500, drainTimeoutMs: 200, commandTimeoutMs: 5_000,
    })!;
    const logger = process.env.DEBUG_CLUSTER ? debugLogger(node) : undefined;
    const coordinator = new ClusterCoordinator({ settings, turnQueueStore: persistence.turnQueueStore(), ...(logger ? { logger } : {}) });
    const sandboxProvider = createFakeSandboxProvider();
    const architecture = createScriptedArchitecture(async function* (context): AsyncIterable<AgentEvent> {
      const message = typeof context.message === 'string' ? context.message : '';
      ranOn.push({ node, sessionId: context.sessionId, message });
      // Like a real agent, it stops when the turn is aborted (a real CLI is killed), even while it waits.
      const stopped = new Promise<undefined>((resolve) => context.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
      const asked = message.startsWith('ask') ? await Promise.race([context.approvals!.requestPermission({ toolName: 'Bash', toolUseId: `toolu_${context.turnId}`, input: { command: 'git push' } }), stopped]) : undefined;
      if (context.signal.aborted) return;
      const block = { id: `reply-${context.turnId}`, timestamp: new Date().toISOString(), type: 'assistant_text' as const, content: `reply to ${message}${asked ? ` (${asked.decision})` : ''}` };
      yield { type: 'block:start', conversationId: 'main', block: { ...block, content: '' } };
      yield { type: 'block:complete', conversationId: 'main', blockId: block.id, block };
    });
    const manager = new SessionManager({
      persistence: coordinator.fencedPersistence(persistence), sandboxProvider, architectures: [architecture],
      coordinator, eventLog: coordinator.eventLog, turnQueueStore: coordinator.turnQueueStore,
      idleTimeoutMs: 3_600_000, syncIntervalMs: 3_600_000, ...(logger ? { logger } : {}),
    });
    const events: BusEvent[] = [];
    manager.events.subscribe((event) => events.push(event));
    const made = { node, persistence, coordinator, manager, sandboxProvider, events };
    nodes.push(made);
    return made;
  }

  /**
   * What a SIGKILL leaves of a node, as the others see it: no more heartbeats, renewals, takeovers
   * or replies to routed commands (its leases and its registration lapse after `leaseTtlMs`).
   */
  async function crash(node: ClusterTestNode): Promise<void> {
    const coordinator = node.coordinator as unknown as CoordinatorInternals;
    const { heartbeat } = coordinator;
    heartbeat.left = true;
    coordinator.stopping = true;
    if (heartbeat.timer !== undefined) clearTimeout(heartbeat.timer as NodeJS.Timeout);
    await heartbeat.ticking;
    await coordinator.router?.stop();
  }

  /**
   * The node takes no sessions over on its own until `resume()` (its periodic look for sessions
   * nobody runs is held back), as when a command reaches it before its next look: commands for
   * sessions nobody owns still make it take them.
   */
  async function pauseTakeovers(node: ClusterTestNode): Promise<() => void> {
    const { takeover } = node.coordinator as unknown as CoordinatorInternals;
    while (takeover.takingOver) await takeover.takingOver; // a look in progress ends first
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => { resume = resolve; });
    takeover.takingOver = paused;
    return () => {
      if (takeover.takingOver === paused) takeover.takingOver = undefined;
      resume();
    };
  }

  async function stopAll(): Promise<void> {
    for (const node of nodes) {
      (node.coordinator as unknown as CoordinatorInternals).stopping = false; // a crashed one closes its connections too
      await node.manager.stop().catch(() => undefined);
      await node.persistence.close().catch(() => undefined);
    }
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${clusterSchema}" CASCADE`);
    await pool.end();
  }

  /** The node that owns the session now (a live lease), or undefined. */
  async function ownerOf(sessionId: string): Promise<string | undefined> {
    return (await ownership.owner(sessionId))?.nodeId;
  }

  return { makeNode, crash, pauseTakeovers, stopAll, ownerOf, ranOn };
}

/** The parts of a `ClusterCoordinator` the harness reaches into (its `NodeHeartbeat`, its `SessionTakeover`). */
interface CoordinatorInternals {
  stopping: boolean;
  heartbeat: { left: boolean; timer: unknown; ticking: Promise<void> | undefined };
  takeover: { takingOver: Promise<void> | undefined };
  router: { stop(): Promise<void> } | undefined;
}

export interface ClusterTestNode {
  node: string;
  persistence: ReturnType<typeof createPostgresPersistence>;
  coordinator: ClusterCoordinator;
  manager: SessionManager;
  sandboxProvider: ReturnType<typeof createFakeSandboxProvider>;
  /** Everything this node's clients received. */
  events: BusEvent[];
}

export async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function debugLogger(node: string): Logger {
  const log = (level: string) => (object: object, message?: string) => console.log(node, level, message, JSON.stringify(object));
  return { trace: () => {}, debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') } as unknown as Logger;
}
