import { randomBytes } from 'node:crypto';
import type { AgentEvent, BusEvent } from '@agent-runtime/core';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { SessionManager } from '@agent-runtime/session-engine';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterCoordinator, DEPLOYMENT_LABEL, NODE_LABEL } from './cluster-coordinator.js';
import { resolveClusterSettings } from './cluster-settings.js';

/**
 * Three nodes in one process (each its own SessionManager, fake sandbox provider and NATS
 * connection) on the real PostgreSQL and NATS JetStream, with a scripted agent: ownership,
 * routing, cross-node events, clientMessageId dedup, and a graceful hand-over.
 */
const DATABASE_URL = process.env.AGENT_RUNTIME_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.AGENT_RUNTIME_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const unique = `${process.pid}_${randomBytes(3).toString('hex')}`;
const schema = `cluster_it_${unique}`;
const clusterSchema = `cluster_it_leases_${unique}`;
const streamName = `AR_CLUSTER_IT_${unique}`;
const subjectPrefix = `ar-cluster-it-${unique.replace('_', '-')}`;

const gates = new Map<string, () => void>();
const ranOn: { node: string; message: string }[] = [];

function makeNode(node: string) {
  const persistence = createPostgresPersistence({ connectionString: DATABASE_URL, schema, poolConfig: { max: 4 } });
  const settings = resolveClusterSettings({
    databaseUrl: DATABASE_URL, natsUrl: NATS_URL, nodeId: node, deploymentId: `it-${unique}`,
    schema: clusterSchema, streamName, subjectPrefix, leaseTtlMs: 1_500, drainTimeoutMs: 5_000, commandTimeoutMs: 5_000,
  })!;
  const turnQueueStore = persistence.turnQueueStore!();
  const coordinator = new ClusterCoordinator({ settings, turnQueueStore });
  const sandboxProvider = createFakeSandboxProvider();
  const architecture = createScriptedArchitecture(async function* (context): AsyncIterable<AgentEvent> {
    const message = typeof context.message === 'string' ? context.message : '';
    ranOn.push({ node, message });
    // `ask…` asks permission for a tool first and replies with the decision it got.
    // Like a real agent, it stops when the turn is aborted (a real CLI is killed), even while it waits.
    const stopped = new Promise<undefined>((resolve) => context.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const asked = message.startsWith('ask') ? await Promise.race([context.approvals!.requestPermission({ toolName: 'Bash', toolUseId: `toolu_${context.turnId}`, input: { command: 'git push' } }), stopped]) : undefined;
    if (context.signal.aborted) return;
    const id = `reply-${context.turnId}`;
    const block = { id, timestamp: new Date().toISOString(), type: 'assistant_text' as const, content: `reply to ${message}${asked ? ` (${asked.decision})` : ''}` };
    yield { type: 'block:start', conversationId: 'main', block: { ...block, content: '' } };
    yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: 'reply ' };
    if (message.startsWith('hold')) await new Promise<void>((resolve) => gates.set(message, resolve));
    yield { type: 'block:complete', conversationId: 'main', blockId: id, block };
  });
  const manager = new SessionManager({
    persistence, sandboxProvider, architectures: [architecture], coordinator, eventLog: coordinator.eventLog, turnQueueStore: coordinator.turnQueueStore,
    idleTimeoutMs: 3_600_000, syncIntervalMs: 3_600_000,
  });
  const events: BusEvent[] = [];
  manager.events.subscribe((event) => events.push(event));
  return { node, persistence, coordinator, manager, sandboxProvider, events };
}

type Node = ReturnType<typeof makeNode>;

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const turnEnds = (node: Node, sessionId: string) => node.events.filter((event) => event.sessionId === sessionId && event.event === 'session:turn:end');

describe('cluster mode (three nodes in one process)', () => {
  let a: Node;
  let b: Node;
  let c: Node;

  beforeAll(async () => {
    a = makeNode('node-a');
    b = makeNode('node-b');
    c = makeNode('node-c');
    await a.persistence.seedProfiles([{ id: 'helper', name: 'Helper' }, { id: 'careful', name: 'Careful', toolPolicy: { ask: ['Bash'] } }]);
    await a.manager.start();
    await b.manager.start();
    await c.manager.start();
  });

  afterAll(async () => {
    for (const release of gates.values()) release();
    for (const node of [a, b, c]) {
      await node?.manager.stop().catch(() => undefined);
      await node?.persistence.close().catch(() => undefined);
    }
    const pool = new pg.Pool({ connectionString: DATABASE_URL });
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.query(`DROP SCHEMA IF EXISTS "${clusterSchema}" CASCADE`);
    await pool.end();
  });

  it('runs a message sent to another node once, on the owner; every node sees the events, the list and the history', async () => {
    const created = await a.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const sessionId = created.sessionId;
    expect(a.coordinator.owns(sessionId)).toBe(true);
    await until(() => b.manager.listSessions().some((session) => session.sessionId === sessionId));
    const first = await c.manager.sendMessage(sessionId, { content: 'first', clientMessageId: 'm-1' });
    expect(first).toMatchObject({ success: true, sessionId, clientMessageId: 'm-1' });
    // The same clientMessageId through another node: acknowledged again, never run again.
    await b.manager.sendMessage(sessionId, { content: 'first', clientMessageId: 'm-1' });
    await until(() => turnEnds(b, sessionId).length === 1);
    expect(ranOn.filter((run) => run.message === 'first')).toEqual([{ node: 'node-a', message: 'first' }]);
    // b's clients saw the turn stream live, numbered as on a, with no gap.
    const seqsOn = (node: Node) => node.events.filter((event) => event.sessionId === sessionId).map((event) => event.seq);
    await until(() => seqsOn(b).length === seqsOn(a).length && a.manager.events.latestSeq(sessionId) === seqsOn(a).length);
    const onA = seqsOn(a);
    const onB = seqsOn(b);
    expect(onB).toEqual(onA);
    expect(onB).toEqual(Array.from({ length: onB.length }, (_, index) => index + 1));
    // Replay from any node, and the stored history read from another node.
    const replay = await c.manager.events.replay(sessionId, 0);
    expect(replay.kind === 'events' && replay.events.map((event) => event.seq)).toEqual(onA);
    const data = await c.manager.getSession(sessionId);
    expect(data.blocks.map((block) => block.type)).toEqual(['user_message', 'assistant_text']);
    // Sandboxes carry the deployment and the owning node.
    const sandbox = a.sandboxProvider.sandboxes.find((candidate) => candidate.options.sessionId === sessionId);
    expect(sandbox?.options.labels).toMatchObject({ [DEPLOYMENT_LABEL]: `it-${unique}`, [NODE_LABEL]: 'node-a' });
  });

  it('an answer to a permission request sent to a node that does not own the session reaches the owner; the waiting turn continues there', async () => {
    const { sessionId } = await a.manager.createSession({ agentProfileRef: 'careful', architecture: 'claude-agent-sdk' });
    await a.manager.sendMessage(sessionId, { content: 'ask-1', clientMessageId: 'q-1' });
    const requestOn = (node: Node) => node.events.find((event) => event.sessionId === sessionId && event.event === 'session:permission:request');
    await until(() => requestOn(c) !== undefined);
    const { requestId } = requestOn(c)!.data as { requestId: string };
    const answered = await c.manager.answerPermission(sessionId, requestId, { decision: 'allow' }, 'alice');
    expect(answered).toMatchObject({ success: true, sessionId, requestId, alreadyResolved: false, resolution: { decision: 'allow', by: 'alice' } });
    await until(() => turnEnds(c, sessionId).length === 1);
    expect((turnEnds(c, sessionId)[0]!.data as { outcome: string }).outcome).toBe('completed');
    expect(ranOn.filter((run) => run.message === 'ask-1')).toEqual([{ node: 'node-a', message: 'ask-1' }]);
    // A second answer through a third node changes nothing; an unknown request is REQUEST_NOT_FOUND from the owner.
    expect(await b.manager.answerPermission(sessionId, requestId, { decision: 'deny' }, 'bob')).toMatchObject({ alreadyResolved: true, resolution: { decision: 'allow' } });
    await expect(b.manager.answerPermission(sessionId, 'no-such-request', { decision: 'allow' }, 'bob')).rejects.toMatchObject({ code: 'REQUEST_NOT_FOUND' });
    const data = await b.manager.getSession(sessionId);
    expect(data.blocks.some((block) => block.type === 'assistant_text' && (block as { content: string }).content === 'reply to ask-1 (allow)')).toBe(true);
  });

  it('a graceful stop drains the running turn, hands the session over, and another node runs what was queued', async () => {
    const { sessionId } = await b.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await b.manager.sendMessage(sessionId, { content: 'hold-1', clientMessageId: 'h-1' });
    await until(() => gates.has('hold-1'));
    await c.manager.sendMessage(sessionId, { content: 'after', clientMessageId: 'h-2' });
    const stopping = b.manager.stop();
    setTimeout(() => gates.get('hold-1')?.(), 300);
    await stopping;
    await until(() => ranOn.some((run) => run.message === 'after'));
    await until(() => turnEnds(c, sessionId).length === 2);
    const outcomes = turnEnds(c, sessionId).map((event) => (event.data as { outcome: string }).outcome);
    expect(outcomes).toEqual(['completed', 'completed']);
    expect(ranOn.filter((run) => run.message === 'hold-1' || run.message === 'after').map((run) => run.message)).toEqual(['hold-1', 'after']);
    expect(ranOn.find((run) => run.message === 'after')?.node).not.toBe('node-b');
    const data = await a.manager.getSession(sessionId);
    expect(data.blocks.filter((block) => block.type === 'user_message')).toHaveLength(2);
  });
});

describe('cluster mode: a node that lost its lease mid-turn', () => {
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    a = makeNode('lease-a');
    b = makeNode('lease-b');
    await a.persistence.seedProfiles([{ id: 'helper', name: 'Helper' }]);
    await a.manager.start();
    await b.manager.start();
  });

  afterAll(async () => {
    for (const release of gates.values()) release();
    for (const node of [a, b]) {
      await node?.manager.stop().catch(() => undefined);
      await node?.persistence.close().catch(() => undefined);
    }
  });

  it('stores no end for the turn it was running (a long pause, a partition): the successor\'s NODE_LOST end is the only one', async () => {
    const { sessionId } = await a.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await a.manager.sendMessage(sessionId, { content: 'hold-paused', clientMessageId: 'p-1' });
    await until(() => gates.has('hold-paused'));
    // Another node took the lease while this one was paused: it has not written anything yet.
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
    await pool.query(`UPDATE "${clusterSchema}".session_leases SET node_id = 'lease-b', fencing_token = fencing_token + 1, expires_at = now() + interval '1 hour' WHERE session_id = $1`, [sessionId]);
    gates.get('hold-paused')!(); // the paused node wakes up and finishes its turn
    await until(() => a.events.some((event) => event.sessionId === sessionId && event.event === 'session:block:complete'));
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // let it try to store the end
    const stored = async () => {
      const replay = await b.manager.events.replay(sessionId, 0);
      return replay.kind === 'events' ? replay.events.filter((event) => event.event === 'session:turn:end') : [];
    };
    expect(await stored()).toEqual([]);
    // The successor runs the session (here: the lease lapses and b takes it with the next message).
    await pool.query(`UPDATE "${clusterSchema}".session_leases SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [sessionId]);
    await pool.end();
    await b.manager.sendMessage(sessionId, { content: 'next', clientMessageId: 'p-2' });
    await until(() => turnEnds(b, sessionId).length === 2);
    const ends = (await stored()).map((event) => (event.data as { outcome: string; error?: { code: string } }));
    expect(ends.map((end) => [end.outcome, end.error?.code])).toEqual([['error', 'NODE_LOST'], ['completed', undefined]]);
  });
});

describe('cluster mode: a graceful stop while a turn waits for a person', () => {
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    a = makeNode('drain-a');
    b = makeNode('drain-b');
    await a.persistence.seedProfiles([{ id: 'careful', name: 'Careful', toolPolicy: { ask: ['Bash'] } }]);
    await a.manager.start();
    await b.manager.start();
  });

  afterAll(async () => {
    for (const node of [a, b]) {
      await node?.manager.stop().catch(() => undefined);
      await node?.persistence.close().catch(() => undefined);
    }
  });

  it('hands the turn over at once (no drain timeout, no deny); the next owner presents the request again and an answer there continues the agent', async () => {
    const { sessionId } = await a.manager.createSession({ agentProfileRef: 'careful', architecture: 'claude-agent-sdk' });
    await a.manager.sendMessage(sessionId, { content: 'ask-drain', clientMessageId: 'd-1' });
    const requests = (node: Node) => node.events.filter((event) => event.sessionId === sessionId && event.event === 'session:permission:request');
    await until(() => requests(a).length === 1);
    const { requestId } = requests(a)[0]!.data as { requestId: string };
    const stopping = Date.now();
    await a.manager.stop();
    const stopMs = Date.now() - stopping;
    expect(stopMs).toBeLessThan(5_000); // the drain timeout of these nodes: it was not waited out
    await until(() => requests(b).length === 2); // presented again by the node that took the session
    expect((requests(b)[1]!.data as { requestId: string }).requestId).toBe(requestId);
    expect(b.events.some((event) => event.sessionId === sessionId && event.event === 'session:permission:resolved')).toBe(false);
    const answered = await b.manager.answerPermission(sessionId, requestId, { decision: 'allow' }, 'alice');
    expect(answered).toMatchObject({ alreadyResolved: false, resolution: { decision: 'allow', by: 'alice' } });
    await until(() => turnEnds(b, sessionId).length === 2);
    expect(turnEnds(b, sessionId).map((event) => (event.data as { outcome: string }).outcome)).toEqual(['interrupted', 'completed']);
  });
});
