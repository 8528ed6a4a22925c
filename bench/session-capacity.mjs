#!/usr/bin/env node
// How many sessions one node holds: the runtime's own cost per session, without the agent CLIs.
// A SessionManager with testkit's scripted architecture and fake (in-process) sandbox, memory
// persistence. Measures, after a forced GC:
//   bytesPerIdleSession   heap+external growth per session loaded with one finished turn, idle
//   bytesPerActiveSession the same with a turn running (a block streaming, not yet complete)
//   eventsPerSecond       session events one node emits through the engine (10 sessions streaming deltas)
// Baseline: the bare in-process SessionEventBus publishing the same events to one listener.
// Last line: {"bench":"session-capacity","ratio": <engine events/s / bare bus events/s>, "bytesPerIdleSession": ...}
// `ratio` is the share of the bus's raw throughput left once events go through the whole engine
// (scripted agent -> AgentSession -> bus): 1 would mean the engine adds nothing per event.
// The fake sandbox lives in this process, so its (small) state is counted in the per-session bytes.
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const { createMemoryPersistence } = await import('@agent-runtime/persistence-memory');
const { SessionEventBus, SessionManager } = await import('@agent-runtime/session-engine');
const { createFakeSandboxProvider, createScriptedArchitecture } = await import('@agent-runtime/testkit');

const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 300);
const ACTIVE_SESSIONS = Number(process.env.BENCH_ACTIVE_SESSIONS ?? 100);
const STREAMING_SESSIONS = 10;
const DELTAS_PER_TURN = Number(process.env.BENCH_DELTAS ?? 2000);
const results = { bench: 'session-capacity', ratio: null };
const round = (value, digits = 0) => Number(value.toFixed(digits));

function memory() {
  globalThis.gc();
  globalThis.gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external + usage.arrayBuffers;
}

const text = (id, content) => ({ id, timestamp: new Date().toISOString(), type: 'assistant_text', content });
const gates = new Map();
// message "hold": stream one delta then wait for the gate; "stream:N": N deltas; anything else: one short reply.
const script = async function* (context) {
  const id = `reply-${context.turnId}`;
  const message = typeof context.message === 'string' ? context.message : '';
  yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
  if (message === 'hold') {
    yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: 'working' };
    await new Promise((resolve) => gates.set(context.turnId, resolve));
  } else if (message.startsWith('stream:')) {
    const count = Number(message.slice(7));
    for (let index = 0; index < count; index++) yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: `d${index} ` };
  }
  yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, 'done') };
};

function makeManager() {
  const persistence = createMemoryPersistence({ profiles: [{ id: 'bench', name: 'Bench' }] });
  return new SessionManager({
    persistence,
    sandboxProvider: createFakeSandboxProvider(),
    architectures: [createScriptedArchitecture(script)],
    idleTimeoutMs: 3_600_000,
    syncIntervalMs: 3_600_000,
  });
}

function counter(manager) {
  const waiters = [];
  const counts = { turnEnds: 0, events: 0, starts: 0 };
  manager.events.subscribe((event) => {
    counts.events++;
    if (event.event === 'session:turn:end') counts.turnEnds++;
    if (event.event === 'session:block:delta') counts.starts++;
    for (const waiter of [...waiters]) if (waiter.check()) waiters.splice(waiters.indexOf(waiter), 1);
  });
  const until = (predicate) =>
    new Promise((resolve) => {
      const waiter = { check: () => predicate(counts) && (resolve(), true) };
      if (!waiter.check()) waiters.push(waiter);
    });
  return { counts, until };
}

async function createSessions(manager, count) {
  const ids = [];
  for (let index = 0; index < count; index++) ids.push((await manager.createSession({ agentProfileRef: 'bench', architecture: 'claude-agent-sdk' })).sessionId);
  return ids;
}

// ---- idle sessions ----------------------------------------------------------------------------
{
  const manager = makeManager();
  await manager.start();
  const { counts, until } = counter(manager);
  const warm = await createSessions(manager, 5);
  for (const id of warm) await manager.sendMessage(id, { content: 'hi' });
  await until((c) => c.turnEnds >= warm.length);
  const before = memory();
  const ids = await createSessions(manager, IDLE_SESSIONS);
  const target = counts.turnEnds + ids.length;
  for (const id of ids) await manager.sendMessage(id, { content: 'hi' });
  await until((c) => c.turnEnds >= target);
  results.bytesPerIdleSession = round((memory() - before) / IDLE_SESSIONS);

  // ---- active sessions (a turn streaming) on top of the idle ones --------------------------------
  const beforeActive = memory();
  const active = await createSessions(manager, ACTIVE_SESSIONS);
  const startsTarget = counts.starts + active.length;
  for (const id of active) await manager.sendMessage(id, { content: 'hold' });
  await until((c) => c.starts >= startsTarget);
  results.bytesPerActiveSession = round((memory() - beforeActive) / ACTIVE_SESSIONS);
  const endTarget = counts.turnEnds + active.length;
  for (const release of gates.values()) release();
  await until((c) => c.turnEnds >= endTarget);
  results.idleSessions = IDLE_SESSIONS;
  results.activeSessions = ACTIVE_SESSIONS;
  await manager.stop();
}

// ---- events/s through the engine ---------------------------------------------------------------
{
  const manager = makeManager();
  await manager.start();
  const { counts, until } = counter(manager);
  const ids = await createSessions(manager, STREAMING_SESSIONS);
  for (const id of ids) await manager.sendMessage(id, { content: 'hi' });
  await until((c) => c.turnEnds >= ids.length);
  const eventsBefore = counts.events;
  const endTarget = counts.turnEnds + ids.length;
  const begin = performance.now();
  for (const id of ids) await manager.sendMessage(id, { content: `stream:${DELTAS_PER_TURN}` });
  await until((c) => c.turnEnds >= endTarget);
  const seconds = (performance.now() - begin) / 1000;
  results.eventsPerSecond = round((counts.events - eventsBefore) / seconds);
  results.streamingSessions = STREAMING_SESSIONS;
  await manager.stop();
}

// ---- baseline: the bare bus ----------------------------------------------------------------------
{
  const bus = new SessionEventBus({ replayWindow: 2000 });
  let received = 0;
  bus.subscribe(() => received++);
  const count = STREAMING_SESSIONS * DELTAS_PER_TURN;
  const event = (index) => ({ event: 'session:block:delta', data: { sessionId: `s${index % STREAMING_SESSIONS}`, conversationId: 'main', blockId: 'b', delta: `d${index} ` } });
  // The bus delivers once each session's event log stored the batch: await every session.
  const flushed = () => Promise.all(Array.from({ length: STREAMING_SESSIONS }, (_, index) => bus.flushed(`s${index}`)));
  for (let index = 0; index < 2000; index++) bus.publish(event(index));
  await flushed();
  const begin = performance.now();
  for (let index = 0; index < count; index++) bus.publish(event(index));
  await flushed();
  const seconds = (performance.now() - begin) / 1000;
  if (received !== count + 2000) throw new Error('bus lost events');
  results.busEventsPerSecond = round(count / seconds);
}

results.ratio = round(results.eventsPerSecond / results.busEventsPerSecond, 4);
console.log(`idle: ${results.bytesPerIdleSession} B/session (${IDLE_SESSIONS}), active: ${results.bytesPerActiveSession} B/session (${ACTIVE_SESSIONS})`);
console.log(`engine: ${results.eventsPerSecond} events/s over ${STREAMING_SESSIONS} sessions; bare bus: ${results.busEventsPerSecond} events/s`);
console.log(JSON.stringify(results));
