import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import pg from 'pg';
import { createAgentRuntimeClient, type AgentRuntimeClient, type SessionEventFrame } from '@agent-runtime/client';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { CLUSTER_DATABASE_URL, clusterNames, dropCluster, startClusterNode, type ClusterNode } from './cluster-process.js';
import { slowTurnScenario } from './restart-scenario.js';
import { freePort } from './runtime-process.js';
import { postMessage, watchSession } from './session-watcher.js';

/**
 * Three runtime processes on one machine — their own ports and data dirs, one PostgreSQL database,
 * one NATS JetStream, the local sandbox, the real Claude Code CLI against the scripted model
 * server. A client on B follows a session owned by A; messages sent to C run once, on A; A is
 * SIGKILLed in the middle of a turn; the lost turn ends once with NODE_LOST, the queued message and
 * the next one run on B or C with the full history, and no completed block or acknowledged message is lost.
 */
describe('cluster: three nodes, SIGKILL of the owner mid-turn', () => {
  const names = clusterNames('failover');
  const dataDir = mkdtempSync(join(tmpdir(), 'cluster-failover-'));
  const clients: AgentRuntimeClient[] = [];
  let server: ModelServer;
  let pool: pg.Pool;
  const nodes: Record<'a' | 'b' | 'c', ClusterNode | undefined> = { a: undefined, b: undefined, c: undefined };

  beforeAll(async () => {
    server = await startModelServer(slowTurnScenario);
    const seed = createPostgresPersistence({ connectionString: CLUSTER_DATABASE_URL, schema: names.persistenceSchema });
    await seed.seedProfiles([{ id: 'helper', name: 'Helper' }]);
    await seed.close();
    pool = new pg.Pool({ connectionString: CLUSTER_DATABASE_URL, max: 2 });
    const start = async (nodeId: 'a' | 'b' | 'c') => {
      nodes[nodeId] = await startClusterNode({ names, nodeId: `node-${nodeId}`, port: await freePort(), dataDir, modelServerUrl: server.url, leaseTtlMs: 5_000 });
    };
    await Promise.all([start('a'), start('b'), start('c')]);
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(Object.values(nodes).map((node) => node?.kill('SIGTERM')));
    await server?.close();
    await dropCluster(pool, names, dataDir);
  });

  const clientOf = (node: ClusterNode) => {
    const client = createAgentRuntimeClient({ baseUrl: node.url, WebSocket: WebSocket as never });
    clients.push(client);
    return client;
  };

  const ownerOf = async (sessionId: string) =>
    (await pool.query<{ node_id: string }>(`SELECT node_id FROM "${names.clusterSchema}".session_leases WHERE session_id = $1`, [sessionId])).rows[0]?.node_id;

  it('follows from B, runs on A once, survives the SIGKILL of A with one NODE_LOST end and a gap-free stream', async () => {
    const { a, b, c } = nodes as Record<'a' | 'b' | 'c', ClusterNode>;
    const onA = clientOf(a);
    const onB = clientOf(b);
    const onC = clientOf(c);
    const { sessionId } = await onA.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(await ownerOf(sessionId)).toBe('node-a');
    const watcherA = watchSession(onA, sessionId);
    const watcherB = watchSession(onB, sessionId);
    await watcherA.socket.join(sessionId, { since: 0 });
    await watcherB.socket.join(sessionId, { since: 0 });
    const send = (node: ClusterNode, content: string, clientMessageId: string) => postMessage(node.url, sessionId, content, clientMessageId);

    // Sent to C, run on A, followed live on B; the retry through B is acknowledged and does not run.
    expect((await send(c, 'This is turn 1.', 'm1')).status).toBe(200);
    expect((await send(b, 'This is turn 1.', 'm1')).status).toBe(200);
    await watcherB.until(() => watcherB.countNumbered('session:turn:end') === 1);
    expect(await ownerOf(sessionId)).toBe('node-a');
    expect(server.generationRequests().filter((request) => JSON.stringify(request.body).includes('This is turn 1.')).length).toBeGreaterThan(0);

    // A slow turn on A with one message queued behind it; SIGKILL A in the middle.
    expect((await send(c, 'Please take your time.', 'm-slow')).status).toBe(200);
    expect((await send(b, 'This is turn 2.', 'm2')).body).toMatchObject({ queued: true });
    const deltasBefore = watcherB.countNumbered('session:block:delta');
    await watcherB.until(() => watcherB.countNumbered('session:block:delta') >= deltasBefore + 3);
    const seenOnA = watcherA.numbered().at(-1)!.seq!;
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    nodes.a = undefined;

    // The client that was on A reconnects to C with `since`.
    const watcherC = watchSession(onC, sessionId);
    await watcherC.socket.join(sessionId, { since: seenOnA });
    await watcherB.until(() => watcherB.countNumbered('session:turn:end') === 3);
    await watcherC.until(() => watcherC.countNumbered('session:turn:end') >= 2);
    const lostAt = watcherB.arrivals[watcherB.frames.findIndex((frame) => frame.event === 'session:turn:end' && (frame.data as { outcome: string }).outcome === 'error')]!;
    console.log(`cluster failover: the lost turn ended ${lostAt - killedAt} ms after SIGKILL (lease TTL 5000 ms)`);

    const seqsB = watcherB.numbered().map((frame) => frame.seq!);
    expect(seqsB).toEqual(seqsB.map((_, index) => index + 1));
    const seqsC = watcherC.numbered().map((frame) => frame.seq!);
    expect(seqsC).toEqual(seqsC.map((_, index) => seenOnA + index + 1));
    expect(seqsC.at(-1)).toBe(seqsB.at(-1));
    const ends = (frames: SessionEventFrame[]) =>
      frames.filter((frame) => frame.event === 'session:turn:end').map((frame) => {
        const data = frame.data as { outcome: string; error?: { code: string } };
        return [data.outcome, data.error?.code];
      });
    expect(ends(watcherB.numbered())).toEqual([['completed', undefined], ['error', 'NODE_LOST'], ['completed', undefined]]);
    expect(ends(watcherC.numbered()).filter(([outcome]) => outcome === 'error')).toEqual([['error', 'NODE_LOST']]);
    const starts = watcherB.numbered().filter((frame) => frame.event === 'session:turn:start').map((frame) => (frame.data as { clientMessageId?: string }).clientMessageId);
    expect(starts).toEqual(['m1', 'm-slow', 'm2']);
    const survivor = await ownerOf(sessionId);
    expect(['node-b', 'node-c']).toContain(survivor);

    // The next message runs on the survivor with the whole history.
    expect((await send(b, 'This is turn 3.', 'm3')).status).toBe(200);
    await watcherB.until(() => watcherB.countNumbered('session:turn:end') === 4);
    expect(ends(watcherB.numbered()).at(-1)).toEqual(['completed', undefined]);
    const last = server.generationRequests().filter((request) => JSON.stringify(request.body).includes('This is turn 3.')).at(-1);
    const history = JSON.stringify(last?.body);
    for (const earlier of ['This is turn 1.', 'Please take your time.', 'This is turn 2.']) expect(history).toContain(earlier);

    // No completed block the clients saw is missing from storage.
    const session = await onB.getSession(sessionId);
    const stored = new Set(session.blocks.map((block) => block.id));
    const completed = watcherB
      .numbered()
      .filter((frame) => frame.event === 'session:block:complete' && (frame.data as { conversationId: string }).conversationId === 'main')
      .map((frame) => (frame.data as { blockId: string }).blockId);
    expect(completed.filter((id) => !stored.has(id))).toEqual([]);
    expect(session.blocks.filter((block) => block.type === 'user_message')).toHaveLength(4);
  }, 240_000);
});
