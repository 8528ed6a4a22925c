#!/usr/bin/env node
// Event-log benchmark: appending session events one by one (what the engine does before it
// publishes an event) to the durable SQLite log (WAL, synchronous=NORMAL) and PostgreSQL log
// (temp schema), p50/p99 per append; and replaying 1,000 and 100,000 events (`read` after seq 0).
// The in-memory log (the engine's MemorySessionEventLog) is measured in the same run as baseline.
// Usage: node bench/event-log.mjs   (DATABASE_URL overrides postgres://postgres@127.0.0.1:5432/test; BENCH_APPENDS, default 2000)
// The last line is JSON: "appendP50Ms" = the slower durable backend's append p50, "ratio" = that
// p50 / the in-memory append p50 (both durable backends in their default settings; PostgreSQL with
// eventLogCommit 'asynchronous' is printed and in the JSON too). Anchor: a published event-sourced agent server persists an event
// in 0.166 ms (median) and replays 1,000 events in 29 ms.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';
import * as engine from '@agent-runtime/session-engine';

const APPENDS = Number(process.env.BENCH_APPENDS ?? 2000);
const WARMUP = 200;
const REPLAYS = [1_000, 100_000];
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ANCHOR = { appendMedianMs: 0.166, replay1kMs: 29 };

/** A minimal in-memory log, used only when the engine does not export one. */
function minimalMemoryLog() {
  const sessions = new Map();
  return {
    async append(sessionId, events) {
      const session = sessions.get(sessionId) ?? { latest: 0, events: [] };
      sessions.set(sessionId, session);
      return events.map((event) => {
        const logged = { sessionId, seq: ++session.latest, event };
        session.events.push(logged);
        return logged;
      });
    },
    async read(sessionId, afterSeq) {
      return (sessions.get(sessionId)?.events ?? []).filter((logged) => logged.seq > afterSeq);
    },
  };
}

/** A typical streamed event: one text delta of an assistant block (~200 bytes of JSON). */
const deltaEvent = (sessionId, n) => ({
  event: 'session:block:delta',
  data: { sessionId, conversationId: 'main', blockId: `block-${Math.floor(n / 50)}`, delta: `chunk ${n}: the quick brown fox jumps over the lazy dog, héllo 日本 🎉 ` },
});

const round = (value) => Math.round(value * 1000) / 1000;
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function measure(log) {
  const sessionId = `bench-append-${process.pid}`;
  for (let n = 0; n < WARMUP; n += 1) await log.append(`${sessionId}-warm`, [deltaEvent(sessionId, n)]);
  const times = [];
  for (let n = 0; n < APPENDS; n += 1) {
    const started = performance.now();
    await log.append(sessionId, [deltaEvent(sessionId, n)]);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const result = { appends: APPENDS, appendP50Ms: round(percentile(times, 50)), appendP99Ms: round(percentile(times, 99)) };
  for (const count of REPLAYS) {
    const replayId = `bench-replay-${count}-${process.pid}`;
    for (let n = 0; n < count; n += 1000) await log.append(replayId, Array.from({ length: Math.min(1000, count - n) }, (_, index) => deltaEvent(replayId, n + index)));
    await log.read(replayId, count - 10); // warm the statement
    const runs = [];
    for (let run = 0; run < 3; run += 1) {
      const started = performance.now();
      const events = await log.read(replayId, 0);
      runs.push(performance.now() - started);
      if (events.length !== count) throw new Error(`replay of ${count} returned ${events.length} events`);
    }
    result[`replay${count / 1000}kMs`] = round(runs.sort((a, b) => a - b)[1]); // median of 3
  }
  return result;
}

function print(name, result) {
  if (result.skipped) return console.log(`\n${name}: skipped (${result.skipped})`);
  console.log(`\n${name}`);
  console.log(`  append (1 event): p50 ${result.appendP50Ms} ms, p99 ${result.appendP99Ms} ms  (${result.appends} appends)`);
  for (const count of REPLAYS) console.log(`  replay ${count.toLocaleString('en')} events: ${result[`replay${count / 1000}kMs`]} ms`);
}

const results = {};
const MemoryLog = engine.MemorySessionEventLog;
results.memory = { implementation: MemoryLog ? 'MemorySessionEventLog' : 'minimal baseline', ...(await measure(MemoryLog ? new MemoryLog({ window: 200_000 }) : minimalMemoryLog())) };
print(`memory (${results.memory.implementation}, baseline)`, results.memory);

const directory = mkdtempSync(join(tmpdir(), 'bench-event-log-'));
try {
  const sqlite = createSqlitePersistence({ filename: join(directory, 'events.db') });
  results.sqlite = await measure(sqlite.sessionEventLog());
  await sqlite.close();
  print('sqlite (WAL, synchronous=NORMAL)', results.sqlite);
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const schema = `bench_events_${process.pid}`;
const pg = createRequire(import.meta.resolve('@agent-runtime/persistence-postgres'))('pg');
const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1, connectionTimeoutMillis: 3000 });
try {
  await admin.query('SELECT 1');
  const postgres = createPostgresPersistence({ connectionString: DATABASE_URL, schema });
  results.postgres = await measure(postgres.sessionEventLog());
  await postgres.close();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  const asynchronous = createPostgresPersistence({ connectionString: DATABASE_URL, schema, eventLogCommit: 'asynchronous' });
  results.postgresAsynchronousCommit = await measure(asynchronous.sessionEventLog());
  await asynchronous.close();
} catch (error) {
  results.postgres ??= { skipped: `PostgreSQL unreachable or failed at ${DATABASE_URL}: ${error.message}` };
  results.postgresAsynchronousCommit ??= { skipped: error.message };
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await admin.end();
}
print(`postgres (schema ${schema}, synchronous commit: the default)`, results.postgres);
print(`postgres (eventLogCommit: 'asynchronous' — survives a runtime crash, not a server crash)`, results.postgresAsynchronousCommit);

const durable = [results.sqlite, results.postgres].filter((result) => !result.skipped);
const slower = durable.reduce((worst, result) => (result.appendP50Ms > worst.appendP50Ms ? result : worst));
const appendP50Ms = slower.appendP50Ms;
const ratio = Number((appendP50Ms / Math.max(results.memory.appendP50Ms, 0.0001)).toPrecision(3));
console.log(
  `\nDurable append p50 (slower backend): ${appendP50Ms} ms (anchor ${ANCHOR.appendMedianMs} ms), ${ratio}x the in-memory append; ` +
    `replay of 1,000: sqlite ${results.sqlite.replay1kMs} ms, postgres ${results.postgres.replay1kMs ?? '-'} ms (anchor ${ANCHOR.replay1kMs} ms).`,
);
console.log(JSON.stringify({ bench: 'event-log', ratio, appendP50Ms, anchor: ANCHOR, memory: results.memory, sqlite: results.sqlite, postgres: results.postgres, postgresAsynchronousCommit: results.postgresAsynchronousCommit }));
