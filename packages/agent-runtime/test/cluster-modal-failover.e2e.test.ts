import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import pg from 'pg';
import { createAgentRuntimeClient, type AgentRuntimeClient, type SessionEventFrame } from '@agent-runtime/client';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { startFakeModalHarness, type FakeModalHarness } from '@agent-runtime/sandbox-modal/test';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { CLUSTER_DATABASE_URL, clusterNames, dropCluster, startClusterNode, type ClusterNode } from './cluster-process.js';
import { freePort } from './runtime-process.js';

/**
 * Issue 14 item 4 on Modal, end to end: two runtime processes (PostgreSQL, NATS JetStream), their
 * sandboxes on Modal — the real SDK in each node against the fake Modal server in this process,
 * whose sandbox processes run on the host, so they outlive a node as on Modal — and the REAL
 * Claude Code CLI against the scripted model server. A is SIGKILLed in the middle of a slow turn
 * with its CLI still streaming in the sandbox; B reattaches to that sandbox: the CLI is stopped,
 * the lost turn ends once with NODE_LOST, and the queued message runs in the same sandbox (no new
 * sandbox, no restore) with `--resume` and the whole history.
 */
describe('cluster on Modal: SIGKILL of the owner mid-turn, the survivor reattaches to its sandbox', () => {
  const names = clusterNames('modalfail');
  const dataDir = mkdtempSync(join(tmpdir(), 'cluster-modal-failover-'));
  const clients: AgentRuntimeClient[] = [];
  let server: ModelServer;
  let harness: FakeModalHarness;
  let pool: pg.Pool;
  const nodes: Record<'a' | 'b', ClusterNode | undefined> = { a: undefined, b: undefined };

  beforeAll(async () => {
    server = await startModelServer({
      turns: [
        { id: 'slow', match: { lastUserText: /take your time/i }, reply: { text: Array.from({ length: 80 }, () => 'word '), chunkDelayMs: 250 }, times: 'always' },
        { id: 'answer', match: { lastUserText: /turn \d/i }, reply: { text: ['Answer ', 'in ', 'parts.'], chunkDelayMs: 20 }, times: 'always' },
      ],
      fallback: { text: 'ok' },
    });
    harness = await startFakeModalHarness();
    const seed = createPostgresPersistence({ connectionString: CLUSTER_DATABASE_URL, schema: names.persistenceSchema });
    await seed.seedProfiles([{ id: 'helper', name: 'Helper' }]);
    await seed.close();
    pool = new pg.Pool({ connectionString: CLUSTER_DATABASE_URL, max: 2 });
    const env = { CLUSTER_MODAL_APP: 'agent-runtime-cluster-e2e', MODAL_SERVER_URL: harness.fake.url, MODAL_TOKEN_ID: 'ak-fake', MODAL_TOKEN_SECRET: 'as-fake' };
    const start = async (nodeId: 'a' | 'b') => {
      nodes[nodeId] = await startClusterNode({ names, nodeId: `node-${nodeId}`, port: await freePort(), dataDir, modelServerUrl: server.url, leaseTtlMs: 3_000, env });
    };
    await start('a');
    await start('b');
  }, 120_000);

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(Object.values(nodes).map((node) => node?.kill('SIGTERM')));
    await harness?.close();
    await server?.close();
    await dropCluster(pool, names, dataDir);
  });

  const clientOf = (node: ClusterNode) => {
    const client = createAgentRuntimeClient({ baseUrl: node.url, WebSocket: WebSocket as never });
    clients.push(client);
    return client;
  };

  /** A connected client that records every numbered frame of one session. */
  function watch(client: AgentRuntimeClient, sessionId: string) {
    const socket = client.socket();
    const frames: SessionEventFrame[] = [];
    socket.onAny((frame) => {
      if ((frame.data as { sessionId?: string }).sessionId === sessionId && (frame as SessionEventFrame).seq !== undefined) frames.push(frame as SessionEventFrame);
    });
    const count = (event: string) => frames.filter((frame) => frame.event === event).length;
    const until = async (check: () => boolean, timeoutMs = 120_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out; last events: ${frames.slice(-5).map((frame) => frame.event).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    return { socket, frames, count, until };
  }

  const ownerOf = async (sessionId: string) =>
    (await pool.query<{ node_id: string }>(`SELECT node_id FROM "${names.clusterSchema}".session_leases WHERE session_id = $1`, [sessionId])).rows[0]?.node_id;
  const creates = () => harness.fake.state.calls.filter((call) => call.endsWith('/SandboxCreateV2')).length;

  it('B keeps using the sandbox A left: its CLI stopped, one NODE_LOST end, the queued turn resumed there with the whole history', async () => {
    const { a, b } = nodes as Record<'a' | 'b', ClusterNode>;
    const onA = clientOf(a);
    const onB = clientOf(b);
    const { sessionId } = await onA.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(await ownerOf(sessionId)).toBe('node-a');
    const watcher = watch(onB, sessionId);
    await watcher.socket.join(sessionId, { since: 0 });
    const send = (node: ClusterNode, content: string, clientMessageId: string) =>
      fetch(`${node.url}/sessions/${sessionId}/message`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content, clientMessageId }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { queued?: boolean } }));

    expect((await send(a, 'This is turn 1.', 'm1')).status).toBe(200);
    await watcher.until(() => watcher.count('session:turn:end') === 1);
    const sandboxes = () => [...harness.fake.state.sandboxes.values()].filter((sandbox) => sandbox.tags['agent-runtime.session'] === sessionId);
    expect(sandboxes()).toHaveLength(1);
    const sandbox = sandboxes()[0]!;
    const markerPath = join(harness.fake.rootDir, sandbox.sandboxId, 'home/agent/.agent-runtime/restore-complete');
    const marker = readFileSync(markerPath, 'utf8');

    // A slow turn on A with one message queued behind it; SIGKILL A while its CLI streams.
    expect((await send(a, 'Please take your time.', 'm-slow')).status).toBe(200);
    expect((await send(b, 'This is turn 2.', 'm2')).body).toMatchObject({ queued: true });
    const deltas = watcher.count('session:block:delta');
    await watcher.until(() => watcher.count('session:block:delta') >= deltas + 3);
    const createsBefore = creates();
    const execsBefore = sandbox.execs.length;
    const running = () => sandbox.execs.slice(0, execsBefore).filter((exec) => exec.exitCode === undefined);
    const leftover = running();
    expect(leftover.length).toBeGreaterThan(0); // the CLI of the slow turn (its model reply streams for 20 s)
    const killedAt = Date.now();
    await a.kill('SIGKILL');
    nodes.a = undefined;

    await watcher.until(() => watcher.count('session:turn:end') === 3);
    console.log(`modal failover: the queued turn ended ${Date.now() - killedAt} ms after SIGKILL (lease TTL 3000 ms)`);
    const ends = watcher.frames.filter((frame) => frame.event === 'session:turn:end').map((frame) => {
      const data = frame.data as { outcome: string; error?: { code: string } };
      return [data.outcome, data.error?.code];
    });
    expect(ends).toEqual([['completed', undefined], ['error', 'NODE_LOST'], ['completed', undefined]]);
    expect(await ownerOf(sessionId)).toBe('node-b');
    // The same sandbox, still running and relabelled; nothing created, nothing restored; A's CLI is gone.
    expect(creates()).toBe(createsBefore);
    expect(sandboxes().map((candidate) => [candidate.sandboxId, candidate.status])).toEqual([[sandbox.sandboxId, 'running']]);
    expect(sandbox.tags['agent-runtime-node']).toBe('node-b');
    expect(readFileSync(markerPath, 'utf8')).toBe(marker);
    expect(running()).toEqual([]);
    console.log(`modal failover: exit codes of the execs A left running: ${leftover.map((exec) => exec.exitCode).join(', ')}`);
    // Claude Code resumed the session in that sandbox: the model got the whole history.
    const last = server.generationRequests().filter((request) => JSON.stringify(request.body).includes('This is turn 2.')).at(-1);
    const history = JSON.stringify(last?.body);
    for (const earlier of ['This is turn 1.', 'Please take your time.']) expect(history).toContain(earlier);
    const session = await onB.getSession(sessionId);
    expect(session.blocks.filter((block) => block.type === 'user_message')).toHaveLength(3);
  }, 240_000);
});
