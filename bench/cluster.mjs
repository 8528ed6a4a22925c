#!/usr/bin/env node
// Many runtime nodes on PostgreSQL + NATS JetStream, without the agent CLIs (testkit's scripted
// agent and fake sandbox):
//   1. events/s of 10 sessions streaming at once, and p50/p99 latency (generation -> listener) of one
//      session paced at 100 deltas/s, seen by a client of the owner node and by a client of another
//      node (events cross JetStream: owner append -> ordered consumer -> bus). Baseline in the same
//      run: the client on the owner. ratio = cross-node / same-node events/s.
//   2. takeover after SIGKILL: a node process owns a session with a turn running; it is SIGKILLed;
//      the time until a client on a surviving node sees the turn end (NODE_LOST). Median of 10 kills.
//   3. sessions per node: bytesPerIdleSession from `session-capacity` (item 7), run in a child.
// Last line: {"bench":"cluster","ratio":...,"takeoverMs":...,"bytesPerIdleSession":...}
// Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) and NATS
// with JetStream (BENCH_NATS_URL, default nats://127.0.0.1:4222); each run uses its own schemas and stream.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import WebSocket from 'ws';
import { ClusterCoordinator, SessionManager, createPostgresPersistence, resolveClusterSettings } from 'agent-runtime';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';
import { createAgentRuntimeClient } from '@agent-runtime/client';

const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const DELTAS = Number(process.env.BENCH_DELTAS ?? 500);
const KILLS = Number(process.env.BENCH_KILLS ?? 10);
const LEASE_TTL_MS = Number(process.env.BENCH_LEASE_TTL_MS ?? 2000);
const unique = `${process.pid}_${randomBytes(3).toString('hex')}`;
const names = {
  schema: `bench_cluster_${unique}`,
  clusterSchema: `bench_cluster_leases_${unique}`,
  stream: `AR_BENCH_${unique}`,
  subjectPrefix: `ar-bench-${unique.replace('_', '-')}`,
};
const results = { bench: 'cluster', ratio: null, leaseTtlMs: LEASE_TTL_MS, machine: 'loaded' };
const round = (value, digits = 0) => Number(value.toFixed(digits));
const now = () => performance.timeOrigin + performance.now();
const percentile = (values, p) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

const text = (id, content) => ({ id, timestamp: new Date().toISOString(), type: 'assistant_text', content });
const script = async function* (context) {
  const id = `reply-${context.turnId}`;
  const message = typeof context.message === 'string' ? context.message : '';
  yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
  // "stream:N": N deltas as fast as the engine takes them; "pace:N": N deltas, one every 10 ms.
  const [kind, size] = message.split(':');
  const count = size === undefined ? 1 : Number(size);
  for (let index = 0; index < count; index++) {
    if (kind === 'pace') await new Promise((resolve) => setTimeout(resolve, 10));
    yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: `${now()}` };
  }
  yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, 'done') };
};

function inProcessNode(nodeId) {
  const persistence = createPostgresPersistence({ connectionString: DATABASE_URL, schema: names.schema, poolConfig: { max: 4 } });
  const settings = resolveClusterSettings({
    databaseUrl: DATABASE_URL, natsUrl: NATS_URL, nodeId, deploymentId: 'bench', schema: names.clusterSchema,
    streamName: names.stream, subjectPrefix: names.subjectPrefix, leaseTtlMs: 15_000,
  });
  const coordinator = new ClusterCoordinator({ settings, turnQueueStore: persistence.turnQueueStore() });
  const manager = new SessionManager({
    persistence, sandboxProvider: createFakeSandboxProvider(), architectures: [createScriptedArchitecture(script)],
    coordinator, eventLog: coordinator.eventLog, turnQueueStore: coordinator.turnQueueStore, idleTimeoutMs: 3_600_000, syncIntervalMs: 3_600_000,
  });
  return { persistence, manager };
}

/** Arrival times and latencies of the turn's deltas as one node's clients see them. */
function deltaWatch(manager, sessionId) {
  const arrivals = [];
  const latencies = [];
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  manager.events.subscribe((event) => {
    if (event.sessionId !== sessionId) return;
    if (event.event === 'session:block:delta') {
      const at = now();
      arrivals.push(at);
      latencies.push(at - Number(event.data.delta));
    }
    if (event.event === 'session:turn:end') done();
  });
  return { arrivals, latencies, finished };
}


// ---- 1. events across nodes ---------------------------------------------------------------------
// Throughput: STREAMING sessions stream DELTAS deltas each at once (appends are serial per session,
// sessions in parallel). Latency: one session paced at 100 deltas/s, generation -> listener.
const STREAMING = Number(process.env.BENCH_STREAMING_SESSIONS ?? 10);
const PACED = Number(process.env.BENCH_PACED_DELTAS ?? 300);
{
  const owner = inProcessNode('bench-owner');
  const other = inProcessNode('bench-other');
  await owner.persistence.seedProfiles([{ id: 'bench', name: 'Bench' }]);
  await owner.manager.start();
  await other.manager.start();
  const sessionIds = [];
  for (let index = 0; index < STREAMING; index++) sessionIds.push((await owner.manager.createSession({ agentProfileRef: 'bench', architecture: 'claude-agent-sdk' })).sessionId);
  const warm = sessionIds.map((id) => deltaWatch(other.manager, id));
  for (const id of sessionIds) await owner.manager.sendMessage(id, { content: 'stream:20' });
  await Promise.all(warm.map((watch) => watch.finished));

  const same = sessionIds.map((id) => deltaWatch(owner.manager, id));
  const cross = sessionIds.map((id) => deltaWatch(other.manager, id));
  for (const id of sessionIds) await owner.manager.sendMessage(id, { content: `stream:${DELTAS}` });
  await Promise.all([...same, ...cross].map((watch) => watch.finished));
  const total = (watches) => watches.reduce((sum, watch) => sum + watch.arrivals.length, 0);
  const span = (watches) => (Math.max(...watches.map((watch) => watch.arrivals.at(-1))) - Math.min(...watches.map((watch) => watch.arrivals[0]))) / 1000;
  if (total(same) !== STREAMING * DELTAS || total(cross) !== STREAMING * DELTAS) throw new Error(`lost deltas: owner ${total(same)}, other ${total(cross)} of ${STREAMING * DELTAS}`);
  results.sameNodeEventsPerSecond = round(total(same) / span(same));
  results.crossNodeEventsPerSecond = round(total(cross) / span(cross));
  results.ratio = round(results.crossNodeEventsPerSecond / results.sameNodeEventsPerSecond, 4);

  const paced = sessionIds[0];
  const pacedSame = deltaWatch(owner.manager, paced);
  const pacedCross = deltaWatch(other.manager, paced);
  await owner.manager.sendMessage(paced, { content: `pace:${PACED}` });
  await Promise.all([pacedSame.finished, pacedCross.finished]);
  results.sameNodeP99Ms = round(percentile(pacedSame.latencies, 99), 2);
  results.crossNodeP99Ms = round(percentile(pacedCross.latencies, 99), 2);
  results.sameNodeP50Ms = round(percentile(pacedSame.latencies, 50), 2);
  results.crossNodeP50Ms = round(percentile(pacedCross.latencies, 50), 2);
  await other.manager.stop();
  await owner.manager.stop();
  await Promise.all([owner.persistence.close(), other.persistence.close()]);
}

// ---- 2. takeover after SIGKILL ----------------------------------------------------------------------
async function startNodeProcess(nodeId) {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./lib/cluster-bench-node.mjs', import.meta.url))], {
    env: {
      ...process.env, BENCH_DATABASE_URL: DATABASE_URL, BENCH_NATS_URL: NATS_URL, BENCH_NODE_ID: nodeId, BENCH_SCHEMA: names.schema,
      BENCH_CLUSTER_SCHEMA: names.clusterSchema, BENCH_STREAM: names.stream, BENCH_SUBJECT_PREFIX: names.subjectPrefix, BENCH_LEASE_TTL_MS: String(LEASE_TTL_MS),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const first = await createInterface({ input: child.stdout })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error(`bench node ${nodeId} exited before it listened`);
  return { url: JSON.parse(first.value).url, kill: (signal) => (child.kill(signal), exited) };
}

{
  const survivor = await startNodeProcess('survivor');
  const takeovers = [];
  for (let kill = 0; kill < KILLS; kill++) {
    const victim = await startNodeProcess(`victim-${kill}`);
    const onVictim = createAgentRuntimeClient({ baseUrl: victim.url, WebSocket });
    const { sessionId } = await onVictim.createSession({ agentProfileRef: 'bench', architecture: 'claude-agent-sdk' });
    const onSurvivor = createAgentRuntimeClient({ baseUrl: survivor.url, WebSocket });
    const socket = onSurvivor.socket();
    let started;
    const running = new Promise((resolve) => (started = resolve));
    let ended;
    const lost = new Promise((resolve) => (ended = resolve));
    socket.onAny((frame) => {
      if (frame.data?.sessionId !== sessionId) return;
      if (frame.event === 'session:block:delta') started();
      if (frame.event === 'session:turn:end' && frame.data.error?.code === 'NODE_LOST') ended(Date.now());
    });
    await socket.join(sessionId, { since: 0 });
    await onVictim.sendMessage(sessionId, 'hold');
    await running;
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    takeovers.push((await lost) - killedAt);
    onVictim.close();
    onSurvivor.close();
  }
  await survivor.kill('SIGTERM');
  results.takeoverMs = percentile(takeovers, 50);
  results.takeoverMaxMs = Math.max(...takeovers);
  results.kills = takeovers.length;
}

// ---- 3. sessions per node (item 7) ----------------------------------------------------------------
{
  const capacity = spawnSync(process.execPath, [fileURLToPath(new URL('./session-capacity.mjs', import.meta.url))], { encoding: 'utf8', env: { ...process.env, BENCH_IDLE_SESSIONS: process.env.BENCH_IDLE_SESSIONS ?? '200' } });
  const line = capacity.stdout.trim().split('\n').at(-1);
  const measured = JSON.parse(line);
  results.bytesPerIdleSession = measured.bytesPerIdleSession;
  results.bytesPerActiveSession = measured.bytesPerActiveSession;
  results.idleSessionsPerGiB = Math.floor(2 ** 30 / measured.bytesPerIdleSession);
}

const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
await pool.query(`DROP SCHEMA IF EXISTS "${names.schema}" CASCADE`);
await pool.query(`DROP SCHEMA IF EXISTS "${names.clusterSchema}" CASCADE`);
await pool.end();
{
  const { connect } = await import('@nats-io/transport-node').catch(() => ({}));
  if (connect) {
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const nats = await connect({ servers: NATS_URL });
    await (await jetstreamManager(nats)).streams.delete(names.stream).catch(() => undefined);
    await nats.close();
  }
}

console.log(`events over ${STREAMING} sessions: owner's client ${results.sameNodeEventsPerSecond}/s, other node's client ${results.crossNodeEventsPerSecond}/s`);
console.log(`latency at 100 deltas/s: owner's client p50 ${results.sameNodeP50Ms} / p99 ${results.sameNodeP99Ms} ms, other node's client p50 ${results.crossNodeP50Ms} / p99 ${results.crossNodeP99Ms} ms`);
console.log(`takeover after SIGKILL: median ${results.takeoverMs} ms, max ${results.takeoverMaxMs} ms over ${results.kills} kills (lease TTL ${LEASE_TTL_MS} ms)`);
console.log(`idle session: ${results.bytesPerIdleSession} B (${results.idleSessionsPerGiB} per GiB of heap); loaded machine`);
console.log(JSON.stringify(results));
process.exit(0);
