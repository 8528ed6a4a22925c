#!/usr/bin/env node
// Persistence benchmark: saveTranscript of growing transcripts and saveWorkspaceFile bursts, for
// the SQLite adapter (temp file, WAL + synchronous=NORMAL, and FULL) and the PostgreSQL adapter
// (temp schema), against the memory adapter in the same run. Run `pnpm build` first.
// Usage: node bench/persistence.mjs   (DATABASE_URL overrides postgres://postgres@127.0.0.1:5432/test)
// The last line is JSON; "ratio" = SQLite MB/s on the 10 MB transcript / MB/s of writing the same
// 10 MB to a plain file (writeFileSync) in the same run: how close the adapter gets to the disk.
// (The memory adapter keeps a reference, so a ratio against it says nothing; its figures are printed.)
// "deltaSyncRatio" = time to sync a 1 KB delta onto a 10 MB transcript / onto a 1 KB transcript via
// appendTranscript (median of 200 alternating rounds; the slower of SQLite and PostgreSQL; goal <= 2).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';

const KB = 1024;
const MB = 1024 * 1024;
const SIZES = [
  ['1KB', KB],
  ['100KB', 100 * KB],
  ['1MB', MB],
  ['10MB', 10 * MB],
  ['50MB', 50 * MB],
];
const BURST_FILES = 1000;
const FILE_BYTES = KB;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A JSONL-like transcript of `bytes` UTF-8 bytes (ASCII and some multi-byte characters). */
function transcriptOf(bytes, variant) {
  const line = `{"type":"assistant","variant":${variant},"text":"héllo 日本 ${'x'.repeat(180)}"}\n`;
  const unit = Buffer.byteLength(line);
  return line.repeat(Math.max(1, Math.floor(bytes / unit))).padEnd(bytes - (Math.floor(bytes / unit) * (unit - line.length)), ' ');
}

/** Repetitions so that each size writes about 40 MB (at least 3, at most 300). */
const repetitionsFor = (bytes) => Math.max(3, Math.min(300, Math.ceil((40 * MB) / bytes)));

const round = (value) => (value >= 100 ? Math.round(value) : Math.round(value * 100) / 100);

async function measure(adapter) {
  const sessionId = `bench-${process.pid}`;
  await adapter.createSessionRecord({ sessionId, type: 'claude-agent-sdk', agentProfileReference: 'bench', status: 'active' });
  const result = { transcripts: {}, fileBurst: {} };
  for (const [label, bytes] of SIZES) {
    const variants = [transcriptOf(bytes, 0), transcriptOf(bytes, 1)];
    const size = Buffer.byteLength(variants[0]);
    await adapter.saveTranscript(sessionId, variants[1]); // warm-up
    const repetitions = repetitionsFor(bytes);
    const started = performance.now();
    for (let index = 0; index < repetitions; index += 1) await adapter.saveTranscript(sessionId, variants[index % 2]);
    const seconds = (performance.now() - started) / 1000;
    result.transcripts[label] = { ops: repetitions, opsPerSec: round(repetitions / seconds), mbPerSec: round((repetitions * size) / MB / seconds) };
  }
  const content = 'f'.repeat(FILE_BYTES);
  const started = performance.now();
  await Promise.all(Array.from({ length: BURST_FILES }, (_, index) => adapter.saveWorkspaceFile(sessionId, { path: `burst/${index}.txt`, content })));
  const seconds = (performance.now() - started) / 1000;
  result.fileBurst = { files: BURST_FILES, bytesEach: FILE_BYTES, opsPerSec: round(BURST_FILES / seconds), mbPerSec: round((BURST_FILES * FILE_BYTES) / MB / seconds) };
  const loadStarted = performance.now();
  const loaded = await adapter.loadSession(sessionId);
  result.loadSession = { ms: round(performance.now() - loadStarted), transcriptBytes: Buffer.byteLength(loaded.rawTranscript), files: loaded.workspaceFiles.length };
  return result;
}

const DELTA_ROUNDS = 200;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Incremental sync: appendTranscript of a 1 KB delta onto a 10 MB transcript and onto a 1 KB one
 * (alternating rounds, median each); and, for comparison, the whole-text saveTranscript fallback.
 */
async function measureDeltaSync(adapter) {
  const small = `delta-small-${process.pid}`;
  const big = `delta-big-${process.pid}`;
  for (const sessionId of [small, big]) await adapter.createSessionRecord({ sessionId, type: 'claude-agent-sdk', agentProfileReference: 'bench', status: 'active' });
  let smallText = transcriptOf(KB, 0);
  let bigText = transcriptOf(10 * MB, 0);
  await adapter.saveTranscript(small, smallText);
  await adapter.saveTranscript(big, bigText);
  const delta = transcriptOf(KB, 1);
  const timed = async (action) => {
    const started = performance.now();
    await action();
    return performance.now() - started;
  };
  const onSmall = [];
  const onBig = [];
  for (let round = 0; round < DELTA_ROUNDS; round += 1) {
    onSmall.push(await timed(() => adapter.appendTranscript(small, delta)));
    onBig.push(await timed(() => adapter.appendTranscript(big, delta)));
  }
  const loaded = await adapter.loadSession(big);
  if (loaded.rawTranscript.length !== bigText.length + DELTA_ROUNDS * delta.length) throw new Error('appendTranscript lost a delta');
  const wholeSmall = [];
  const wholeBig = [];
  for (let round = 0; round < 5; round += 1) {
    smallText += delta;
    bigText += delta;
    wholeSmall.push(await timed(() => adapter.saveTranscript(small, smallText)));
    wholeBig.push(await timed(() => adapter.saveTranscript(big, bigText)));
  }
  const result = {
    appendOnto1KBMs: round(median(onSmall)),
    appendOnto10MBMs: round(median(onBig)),
    saveWholeOnto1KBMs: round(median(wholeSmall)),
    saveWholeOnto10MBMs: round(median(wholeBig)),
  };
  result.ratio = Number((median(onBig) / median(onSmall)).toPrecision(3));
  result.saveWholeRatio = Number((median(wholeBig) / median(wholeSmall)).toPrecision(3));
  return result;
}

function printDeltaSync(name, result) {
  console.log(
    `  delta sync (${name}): 1 KB appended onto 10 MB ${result.appendOnto10MBMs} ms vs onto 1 KB ${result.appendOnto1KBMs} ms -> ${result.ratio}x` +
      ` (whole-text saveTranscript: ${result.saveWholeOnto10MBMs} ms vs ${result.saveWholeOnto1KBMs} ms -> ${result.saveWholeRatio}x)`,
  );
}

function print(name, result) {
  console.log(`\n${name}`);
  for (const [label, figures] of Object.entries(result.transcripts)) {
    console.log(`  saveTranscript ${label.padStart(5)}: ${String(figures.opsPerSec).padStart(9)} ops/s ${String(figures.mbPerSec).padStart(9)} MB/s  (${figures.ops} ops)`);
  }
  console.log(`  saveWorkspaceFile burst of ${result.fileBurst.files} x ${result.fileBurst.bytesEach} B: ${result.fileBurst.opsPerSec} ops/s, ${result.fileBurst.mbPerSec} MB/s`);
  console.log(`  loadSession (last transcript + ${result.loadSession.files} files): ${result.loadSession.ms} ms`);
}

const directory = mkdtempSync(join(tmpdir(), 'bench-persistence-'));
const results = {};
try {
  results.memory = await measure(createMemoryPersistence());
  print('memory (baseline)', results.memory);

  const tenMegabytes = 'x'.repeat(10 * 1024 * 1024);
  const repetitions = 5;
  const fileStarted = performance.now();
  for (let index = 0; index < repetitions; index++) writeFileSync(join(directory, `plain-${index}.jsonl`), tenMegabytes);
  results.plainFile = { mbPerSec: Number(((10 * repetitions) / ((performance.now() - fileStarted) / 1000)).toFixed(1)) };
  console.log(`\nplain file (writeFileSync of 10 MB): ${results.plainFile.mbPerSec} MB/s`);

  for (const [name, synchronous] of [['sqlite', 'normal'], ['sqliteFull', 'full']]) {
    const adapter = createSqlitePersistence({ filename: join(directory, `${name}.db`), synchronous });
    results[name] = await measure(adapter);
    if (name === 'sqlite') results.deltaSync = { sqlite: await measureDeltaSync(adapter) };
    await adapter.close();
    print(`${name} (WAL, synchronous=${synchronous.toUpperCase()})`, results[name]);
    if (name === 'sqlite') printDeltaSync('sqlite', results.deltaSync.sqlite);
  }

  const schema = `bench_${process.pid}`;
  const pg = createRequire(import.meta.resolve('@agent-runtime/persistence-postgres'))('pg');
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 1, connectionTimeoutMillis: 3000 });
  try {
    await admin.query('SELECT 1');
    const adapter = createPostgresPersistence({ pool: admin, schema });
    // Its own pool (10 connections) for the measurement.
    const measured = createPostgresPersistence({ connectionString: DATABASE_URL, schema });
    await adapter.migrate();
    results.postgres = await measure(measured);
    results.deltaSync.postgres = await measureDeltaSync(measured);
    await measured.close();
    print(`postgres (schema ${schema})`, results.postgres);
    printDeltaSync('postgres', results.deltaSync.postgres);
  } catch (error) {
    results.postgres = { skipped: `PostgreSQL unreachable or failed at ${DATABASE_URL}: ${error.message}` };
    console.log(`\npostgres: skipped (${results.postgres.skipped})`);
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
    await admin.end();
  }
} finally {
  rmSync(directory, { recursive: true, force: true });
}

const ratio = Number((results.sqlite.transcripts['10MB'].mbPerSec / results.plainFile.mbPerSec).toPrecision(3));
console.log(`\nSQLite writes a 10 MB transcript at ${results.sqlite.transcripts['10MB'].mbPerSec} MB/s, ${ratio}x a plain file write (${results.plainFile.mbPerSec} MB/s).`);
const deltaSyncRatio = Math.max(...Object.values(results.deltaSync).map((result) => result.ratio));
console.log(`A 1 KB delta onto a 10 MB transcript costs ${deltaSyncRatio}x one onto a 1 KB transcript (appendTranscript, slower backend; goal <= 2).`);
console.log(JSON.stringify({ bench: 'persistence', ratio, deltaSyncRatio, deltaSync: results.deltaSync, plainFile: results.plainFile, memory: results.memory, sqlite: results.sqlite, sqliteFull: results.sqliteFull, postgres: results.postgres }));
