#!/usr/bin/env node
// WebSocket fan-out: one session streaming `session:block:delta` events through the transport
// (agentRuntimePlugin + WebSocketHub) to 1, 10 and 100 real WebSocket subscribers (ws clients in
// this process). Prints delivered events/s and p50/p99 delivery latency for each. Baseline, measured
// in the same run: a bare `ws` server broadcasting the same frames (serialised once per event, the
// same string sent to every socket) to the same number of sockets at the same cadence.
// Last line: {"bench":"ws-fanout","ratio": <frames/s delivered through the runtime / bare ws, at 100
// subscribers>, ...}; the in-process SessionEventBus rate is printed too.
import { SessionEventBus } from '@agent-runtime/session-engine';
import { createAgentRuntimeServer } from '@agent-runtime/transport-fastify';
import { createFakeSessionEngine } from '@agent-runtime/transport-fastify/test';
import { performance } from 'node:perf_hooks';
import { WebSocket, WebSocketServer } from 'ws';

const DEADLINE_MS = 100_000;
const started = performance.now();
const results = { bench: 'ws-fanout', ratio: null };
const timeLeft = () => DEADLINE_MS - (performance.now() - started);
const hardStop = setTimeout(() => {
  results.error = 'deadline reached';
  console.log(JSON.stringify(results));
  process.exit(1);
}, DEADLINE_MS + 3000);
hardStop.unref();

const percentile = (sorted, p) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
const round = (value, digits = 0) => Number(value.toFixed(digits));
const tick = () => new Promise((resolve) => setImmediate(resolve));

function deltaEvent(sessionId, index) {
  return { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'b1', delta: `${performance.now()}|${index}` } };
}

// ---- baseline: the in-process bus, publish to one listener --------------------------------------
// The bus delivers after the session's event log stored each batch (in memory here): await it.
async function busRate(count) {
  const bus = new SessionEventBus({ replayWindow: 2000 });
  let received = 0;
  bus.subscribe(() => {
    received++;
  });
  for (let index = 0; index < 2000; index++) bus.publish(deltaEvent('warmup', index));
  await bus.flushed('warmup');
  const begin = performance.now();
  for (let index = 0; index < count; index++) bus.publish(deltaEvent('s', index));
  await bus.flushed('s');
  const seconds = (performance.now() - begin) / 1000;
  if (received !== count + 2000) throw new Error('bus lost events');
  return count / seconds;
}

// ---- fan-out over real WebSockets -----------------------------------------------------------------
async function fanout(subscribers, count, batch) {
  const engine = createFakeSessionEngine({ replayWindow: 2000 });
  const app = createAgentRuntimeServer({
    engine,
    heartbeatMs: 0,
    maxBufferedBytesPerSocket: 512 * 1024 * 1024,
    maxQueuedFramesPerSocket: 10_000_000,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address();
  const { sessionId } = await engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
  await tick();

  const latencies = new Float64Array(count * subscribers);
  let samples = 0;
  let delivered = 0;
  let closedEarly = 0;
  let measured = false;
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  const total = count * subscribers;
  const sockets = [];
  for (let index = 0; index < subscribers; index++) {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.on('close', () => {
      if (!measured) closedEarly++; // dropped by the server (slow consumer) before the end
    });
    let acked = false;
    const joined = new Promise((resolve) => {
      socket.on('message', (data) => {
        if (!acked) {
          acked = true;
          resolve();
          return;
        }
        const text = data.toString();
        if (!text.includes('"session:block:delta"')) return; // the current session:status sent after the join
        const start = text.indexOf('"delta":"') + 9;
        const stamp = Number(text.slice(start, text.indexOf('|', start)));
        latencies[samples++] = performance.now() - stamp;
        if (++delivered === total) finish();
      });
    });
    socket.send(JSON.stringify({ event: 'session:join', args: [sessionId], ack: 1 }));
    await joined;
    sockets.push(socket);
  }

  const begin = performance.now();
  for (let index = 0; index < count; index += batch) {
    const end = Math.min(count, index + batch);
    for (let position = index; position < end; position++) engine.emit(deltaEvent(sessionId, position));
    await tick();
    if (timeLeft() < 5000) break;
  }
  const timeout = new Promise((resolve) => setTimeout(resolve, Math.max(1000, timeLeft() - 4000)).unref());
  await Promise.race([done, timeout]);
  const seconds = (performance.now() - begin) / 1000;
  measured = true;
  for (const socket of sockets) socket.terminate();
  await app.close();
  const sorted = Array.from(latencies.subarray(0, samples)).sort((a, b) => a - b);
  return {
    subscribers,
    events: count,
    delivered,
    complete: delivered === total,
    droppedSockets: closedEarly,
    eventsPerSecond: round(Math.min(count, delivered / subscribers) / seconds),
    framesPerSecond: round(delivered / seconds),
    p50Ms: round(percentile(sorted, 50), 3),
    p99Ms: round(percentile(sorted, 99), 3),
  };
}

// ---- baseline: a bare ws broadcast of the same frames to the same number of sockets -------------
async function bareFanout(subscribers, count, batch) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  const peers = [];
  server.on('connection', (peer) => peers.push(peer));
  let delivered = 0;
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  const total = count * subscribers;
  const sockets = [];
  for (let index = 0; index < subscribers; index++) {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    socket.on('message', (data) => {
      const text = data.toString(); // the runtime's subscribers decode every frame too
      if (text.length > 0 && ++delivered === total) finish();
    });
    sockets.push(socket);
  }
  while (peers.length < subscribers) await tick();
  const frames = Array.from({ length: count }, (_, position) => JSON.stringify({ ...deltaEvent('s', position), seq: position + 1 }));
  const begin = performance.now();
  for (let index = 0; index < count; index += batch) {
    const end = Math.min(count, index + batch);
    for (let position = index; position < end; position++) {
      for (const peer of peers) peer.send(frames[position]);
    }
    await tick();
    if (timeLeft() < 5000) break;
  }
  const timeout = new Promise((resolve) => setTimeout(resolve, Math.max(1000, timeLeft() - 4000)).unref());
  await Promise.race([done, timeout]);
  const seconds = (performance.now() - begin) / 1000;
  for (const socket of sockets) socket.terminate();
  await new Promise((resolve) => server.close(resolve));
  return { subscribers, events: count, delivered, complete: delivered === total, framesPerSecond: round(delivered / seconds) };
}

const busEventsPerSecond = await busRate(200_000);
console.log(`bus (publish -> 1 listener): ${round(busEventsPerSecond).toLocaleString()} events/s`);
results.busEventsPerSecond = round(busEventsPerSecond);

await bareFanout(100, 500, 20); // warm-up (JIT, sockets), not measured
const bare = await bareFanout(100, 4_000, 20);
results.bareWs100 = bare;
console.log(`bare ws broadcast, 100 sockets: ${bare.framesPerSecond.toLocaleString()} frames/s${bare.complete ? '' : ' — INCOMPLETE'}`);

const plans = [
  { subscribers: 1, count: 40_000, batch: 200 },
  { subscribers: 10, count: 20_000, batch: 100 },
  { subscribers: 100, count: 4_000, batch: 20 },
];
for (const plan of plans) {
  if (timeLeft() < 8000) break;
  const result = await fanout(plan.subscribers, plan.count, plan.batch);
  results[`subscribers${plan.subscribers}`] = result;
  console.log(
    `${String(plan.subscribers).padStart(3)} subscriber(s): ${result.eventsPerSecond.toLocaleString()} events/s ` +
      `(${result.framesPerSecond.toLocaleString()} frames/s), latency p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms` +
      `${result.complete ? '' : ` — INCOMPLETE ${result.delivered}/${plan.count * plan.subscribers}`}`,
  );
}
const hundred = results.subscribers100;
if (hundred) results.ratio = round(hundred.framesPerSecond / results.bareWs100.framesPerSecond, 4);
const ten = results.subscribers10;
results.busRatio10 = ten ? round(ten.eventsPerSecond / busEventsPerSecond, 4) : null;
results.elapsedMs = round(performance.now() - started);
console.log(JSON.stringify(results));
process.exit(0);
