import { randomBytes } from 'node:crypto';
import type { AgentEvent, BusEvent, Logger, SandboxProvider } from '@agent-runtime/core';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { createModalSandboxProvider, SESSION_TAG } from '@agent-runtime/sandbox-modal';
import { startFakeModalHarness, type FakeModalHarness } from '@agent-runtime/sandbox-modal/test';
import { SessionManager, systemClock, type Clock } from '@agent-runtime/session-engine';
import { createScriptedArchitecture } from '@agent-runtime/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterCoordinator, NODE_LABEL } from './cluster-coordinator.js';
import { resolveClusterSettings } from './cluster-settings.js';

/**
 * Cluster failover on Modal (issue 14 item 4): node A owns a session whose sandbox runs on Modal
 * (the fake Modal server, driven by the real SDK), A dies in the middle of a turn without
 * releasing anything, and node B takes the session over. In-process nodes on the real PostgreSQL
 * and NATS JetStream with a scripted agent (its transcript is a JSON file in the sandbox home).
 * "A dies": its clock stops firing, so it neither beats nor renews its lease, and its sandbox
 * handle neither syncs, watches nor beats the exec heartbeat — what a SIGKILL leaves behind.
 */
const DATABASE_URL = process.env.AGENT_RUNTIME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.AGENT_RUNTIME_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const unique = `${process.pid}_${randomBytes(3).toString('hex')}`;
const schema = `modal_failover_${unique}`;
const clusterSchema = `modal_failover_leases_${unique}`;
const deployment = `modal-failover-${unique}`;
const TRANSCRIPT = 'transcript.json';
const MARKER = '.agent-runtime/restore-complete';

let harness: FakeModalHarness;
const gates: (() => void)[] = [];
const ranOn: { node: string; message: string; sandboxId: string; blocksBefore: number }[] = [];

/** A clock whose timers stop firing once the node is "killed". */
function killableClock(): { clock: Clock; kill(): void } {
  let dead = false;
  return {
    clock: {
      now: () => Date.now(),
      setTimeout: (callback, delayMs) => systemClock.setTimeout(() => dead || callback(), delayMs),
      clearTimeout: (handle) => systemClock.clearTimeout(handle),
    },
    kill: () => (dead = true),
  };
}

/** gRPC FAILED_PRECONDITION (nice-grpc's `Status`): an error the SDK does not retry. */
const FAILED_PRECONDITION = 9;

/** The next TaskExecStart after an attach is refused: the reattach probe (an exec of `true`) fails. */
let refuseExecAfterAttach = false;

async function makeNode(node: string) {
  const persistence = createPostgresPersistence({ connectionString: DATABASE_URL, schema, poolConfig: { max: 4 } });
  const settings = resolveClusterSettings({
    databaseUrl: DATABASE_URL, natsUrl: NATS_URL, nodeId: node, deploymentId: deployment, schema: clusterSchema,
    streamName: `AR_MODAL_FAILOVER_${unique}`, subjectPrefix: `ar-modal-failover-${unique.replace('_', '-')}`,
    leaseTtlMs: 1_500, drainTimeoutMs: 2_000, commandTimeoutMs: 5_000,
  })!;
  const { clock, kill } = killableClock();
  // How each takeover went ('cluster: took the session' says whether the left sandbox was reattached).
  const took: Record<string, unknown>[] = [];
  const record = (object: Record<string, unknown>, message?: string) => void (message === 'cluster: took the session' && took.push(object));
  const logger: Logger = { debug: () => {}, info: record, warn: () => {}, error: () => {} };
  const coordinator = new ClusterCoordinator({ settings, turnQueueStore: persistence.turnQueueStore!(), clock, logger });
  const modal = createModalSandboxProvider({
    client: await harness.connect(),
    appName: 'agent-runtime-failover',
    deployment,
    allowLocalhostModelUrls: true,
    // Nothing of the handle's own runs between turns: no exec heartbeat, no state polls, a change
    // feed that never polls within the test. So after the "kill" nothing of A reaches the sandbox,
    // and whatever reaches storage from it later was stored by B.
    orphanTimeoutMs: 0,
    stateCheckIntervalMs: 3_600_000,
    watchIntervalMs: 3_600_000,
    watchIdleIntervalMs: 0,
  });
  const sandboxProvider: SandboxProvider = {
    name: modal.name,
    create: (options) => modal.create(options),
    list: (labels) => modal.list(labels),
    async attach(sandboxId) {
      const sandbox = await modal.attach(sandboxId);
      if (refuseExecAfterAttach) {
        refuseExecAfterAttach = false;
        harness.fake.injectError('TaskExecStart', FAILED_PRECONDITION, 'fake-modal: exec refused (unhealthy sandbox)', 1);
      }
      return sandbox;
    },
  };
  const architecture = createScriptedArchitecture(async function* (context): AsyncIterable<AgentEvent> {
    const message = typeof context.message === 'string' ? context.message : '';
    const history = await context.sandbox.readFile(TRANSCRIPT, { root: 'home' }).then((bytes) => JSON.parse(new TextDecoder().decode(bytes)) as unknown[], () => []);
    ranOn.push({ node, message, sandboxId: context.sandbox.id, blocksBefore: history.length });
    const id = `reply-${context.turnId}`;
    const block = { id, timestamp: new Date().toISOString(), type: 'assistant_text' as const, content: `reply to ${message}` };
    yield { type: 'block:start', conversationId: 'main', block: { ...block, content: '' } };
    // The reply is complete (and in the sandbox's transcript) before the work below: A dies after it.
    yield { type: 'block:complete', conversationId: 'main', blockId: id, block };
    await context.sandbox.writeFile(`${message}.txt`, `written by ${node}`);
    if (message.startsWith('work')) {
      // The "agent CLI" goes on working: it writes a file after the last sync and never exits.
      const cli = await context.sandbox.exec(['sh', '-c', `echo late > ${message}-late.txt && echo started && exec sleep 600`]);
      await cli.stdout.getReader().read();
      await new Promise<void>((resolve) => gates.push(resolve));
    }
  });
  const manager = new SessionManager({
    persistence, sandboxProvider, architectures: [architecture], coordinator, eventLog: coordinator.eventLog, turnQueueStore: coordinator.turnQueueStore,
    idleTimeoutMs: 3_600_000, syncIntervalMs: 3_600_000, clock,
  });
  const events: BusEvent[] = [];
  manager.events.subscribe((event) => events.push(event));
  await manager.start();
  return { node, persistence, coordinator, manager, architecture, events, kill, took };
}

type Node = Awaited<ReturnType<typeof makeNode>>;

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const turnEnds = (node: Node, sessionId: string) =>
  node.events.filter((event) => event.sessionId === sessionId && event.event === 'session:turn:end').map((event) => event.data as { outcome: string; error?: { code: string } });
const creates = () => harness.fake.state.calls.filter((call) => call.endsWith('/SandboxCreateV2')).length;
const sandboxOf = (sessionId: string) => [...harness.fake.state.sandboxes.values()].filter((sandbox) => sandbox.tags[SESSION_TAG] === sessionId);
const storedFile = async (node: Node, sessionId: string, path: string) =>
  (await node.persistence.loadSession(sessionId))?.workspaceFiles.find((file) => file.path === path)?.content;

/** A session on `owner` with one completed turn, then a turn that dies with its node, and a message queued behind it. */
async function sessionCutMidTurn(owner: Node): Promise<{ sessionId: string; sandboxId: string; marker: string }> {
  const { sessionId } = await owner.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
  await owner.manager.sendMessage(sessionId, { content: 'first', clientMessageId: `${sessionId}-1` });
  await until(() => turnEnds(owner, sessionId).length === 1);
  const sandbox = sandboxOf(sessionId)[0]!;
  const marker = await readInSandbox(sandbox.sandboxId, MARKER, 'home');
  const holding = gates.length;
  await owner.manager.sendMessage(sessionId, { content: 'work', clientMessageId: `${sessionId}-2` });
  await until(() => gates.length > holding);
  await owner.manager.sendMessage(sessionId, { content: 'next', clientMessageId: `${sessionId}-3` });
  owner.kill();
  return { sessionId, sandboxId: sandbox.sandboxId, marker };
}

async function readInSandbox(sandboxId: string, path: string, root: 'home' | 'workspace' = 'workspace'): Promise<string> {
  const sandbox = await createModalSandboxProvider({ client: harness.modal, appName: 'agent-runtime-failover', deployment, allowLocalhostModelUrls: true }).attach(sandboxId);
  return new TextDecoder().decode(await sandbox.readFile(path, { root }));
}

describe('cluster failover on Modal (two nodes in one process, fake Modal)', () => {
  const nodes: Node[] = [];
  let b: Node;

  beforeAll(async () => {
    harness = await startFakeModalHarness();
    b = await makeNode('node-b');
    nodes.push(b);
    await b.persistence.seedProfiles([{ id: 'helper', name: 'Helper' }]);
  }, 60_000);

  afterAll(async () => {
    for (const release of gates) release();
    // B first; a "dead" node's timers never fire, so its stop gets a bounded wait.
    for (const node of nodes) {
      await Promise.race([node.manager.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await node.persistence.close().catch(() => undefined);
    }
    await harness?.close();
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${clusterSchema}" CASCADE`);
    await pool.end();
  }, 60_000);

  it('B reattaches to the sandbox A left running: same sandbox, no create, no restore, A\'s late work stored, its CLI stopped', { timeout: 60_000 }, async () => {
    const a = await makeNode('node-a');
    nodes.push(a);
    const { sessionId, sandboxId, marker } = await sessionCutMidTurn(a);
    const createsBefore = creates();
    const leftover = harness.fake.state.sandboxes.get(sandboxId)!.execs.find((exec) => exec.argv.at(-1)?.includes('exec sleep 600'))!;
    expect(leftover.exitCode).toBeUndefined();

    await until(() => ranOn.some((run) => run.message === 'next'));
    await until(() => turnEnds(b, sessionId).length === 3); // first (seen from A), work (NODE_LOST), next
    const next = ranOn.find((run) => run.message === 'next')!;
    expect(next).toMatchObject({ node: 'node-b', sandboxId });
    expect(b.took.find((entry) => entry.sessionId === sessionId)).toMatchObject({ sandboxId, reattached: true });
    // The whole history, including A's reply in the cut turn that no sync had stored: u1 a1 u2 a2.
    expect(next.blocksBefore).toBe(4);
    expect(creates()).toBe(createsBefore);
    expect(b.architecture.prepared).toHaveLength(0); // no restore, no prepare
    expect(await readInSandbox(sandboxId, MARKER, 'home')).toBe(marker);
    expect(leftover.exitCode).toBe(143); // the dead node's CLI was stopped (SIGTERM)
    expect(harness.fake.state.sandboxes.get(sandboxId)!.tags[NODE_LABEL]).toBe('node-b');
    expect(sandboxOf(sessionId).filter((sandbox) => sandbox.status === 'running')).toHaveLength(1);

    const ends = turnEnds(b, sessionId).slice(-2);
    expect(ends.map((end) => end.outcome)).toEqual(['error', 'completed']);
    expect(ends[0]!.error?.code).toBe('NODE_LOST');
    // Written in the sandbox after A's last sync: in storage, and served by B.
    expect(await storedFile(b, sessionId, 'work-late.txt')).toBe('late\n');
    expect(await storedFile(b, sessionId, 'work.txt')).toBe('written by node-a');
    expect((await b.manager.readWorkspaceFile(sessionId, 'work-late.txt')).content).toBe('late\n');
    const data = await b.manager.getSession(sessionId);
    expect(data.blocks.map((block) => (block.type === 'assistant_text' ? block.content : block.type))).toEqual([
      'user_message', 'reply to first', 'user_message', 'reply to work', 'user_message', 'reply to next',
    ]);
  });

  it('falls back to a new sandbox restored from storage when the left sandbox does not answer', { timeout: 60_000 }, async () => {
    const a = await makeNode('node-a2');
    nodes.push(a);
    const { sessionId, sandboxId } = await sessionCutMidTurn(a);
    const createsBefore = creates();
    refuseExecAfterAttach = true;

    await until(() => ranOn.filter((run) => run.message === 'next').length === 2);
    await until(() => turnEnds(b, sessionId).length === 3); // first (seen from A), work (NODE_LOST), next
    const next = ranOn.filter((run) => run.message === 'next').at(-1)!;
    expect(next.node).toBe('node-b');
    expect(next.sandboxId).not.toBe(sandboxId);
    expect(b.took.find((entry) => entry.sessionId === sessionId)).toMatchObject({ sandboxId, reattached: false });
    expect(creates()).toBe(createsBefore + 1);
    // Saved from the old sandbox before it was terminated, then restored into the new one.
    expect(harness.fake.state.sandboxes.get(sandboxId)!.status).toBe('finished');
    expect(b.architecture.prepared.at(-1)?.main).toContain('reply to work');
    expect(next.blocksBefore).toBe(4);
    expect(await storedFile(b, sessionId, 'work-late.txt')).toBe('late\n');
    expect(await readInSandbox(next.sandboxId, 'work-late.txt')).toBe('late\n');
    expect(turnEnds(b, sessionId).slice(-2).map((end) => end.error?.code ?? end.outcome)).toEqual(['NODE_LOST', 'completed']);
  });
});
