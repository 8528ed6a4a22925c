import type { ChildProcess } from 'node:child_process';
import type { PersistenceAdapter, SessionEventLog, TurnQueueStore } from '@agent-runtime/core';
import { killAtRandom } from '../contract-helpers/kill-at-random.js';
import { batchDigest, lineDigest, parseCrashDelta, transcriptLineName, type DurabilityCrashLine } from './durability-crash-writer.js';

export interface DurabilityCrashStore {
  eventLog: SessionEventLog;
  turnQueue: TurnQueueStore;
  /** The adapter the writer appended transcript lines through, when it did (checked with `loadSession`). */
  transcripts?: PersistenceAdapter;
  /** Extra checks that the store opened cleanly (e.g. SQLite's integrity_check). */
  check?(): Promise<void>;
  close(): Promise<void>;
}

export interface DurabilityCrashTestOptions {
  /** Starts a child running `runDurabilityCrashWriter({ sessionId, runId })` with stdout piped. */
  spawnWriter(sessionId: string, runId: string): ChildProcess;
  /** Opens the store the children write to (after each kill). */
  openStore(): Promise<DurabilityCrashStore>;
  /** Default 20. */
  kills?: number;
  /** The kill lands at a random point up to this long after the writer is ready. Default 500 ms. */
  maxDelayMs?: number;
}

export interface DurabilityCrashTestReport {
  kills: number;
  /** Acknowledged event batches and messages, over all runs. */
  acknowledgedAppends: number;
  acknowledgedEnqueues: number;
  /** Acknowledged `appendTranscript` calls (0 without `transcripts`). */
  acknowledgedTranscriptAppends: number;
  /** Events in the log after the last run (all contiguous from seq 1). */
  eventsVerified: number;
}

interface Expected {
  /** Acknowledged batches: first seq, size, digest. */
  batches: Map<string, { firstSeq: number; count: number; digest: string }>;
  /** Announced batches (acknowledged or not): size and digest. */
  announced: Map<string, { count: number; digest: string }>;
  /** Acknowledged messages: position, and whether their completion was acknowledged too. */
  messages: Map<string, { position: number; completed: boolean; completing: boolean }>;
  highestAckedSeq: number;
  /** Announced transcript lines in order (name -> digest) and the acknowledged ones. */
  lines: Map<string, string>;
  ackedLines: Set<string>;
}

function collect(expected: Expected, lines: DurabilityCrashLine[]): void {
  for (const line of lines) {
    if (line.t === 'append') expected.announced.set(line.batch, { count: line.count, digest: line.digest });
    else if (line.t === 'appended') {
      const announced = expected.announced.get(line.batch)!;
      expected.batches.set(line.batch, { firstSeq: line.firstSeq, ...announced });
      expected.highestAckedSeq = Math.max(expected.highestAckedSeq, line.firstSeq + announced.count - 1);
    } else if (line.t === 'enqueued') expected.messages.set(line.clientMessageId, { position: line.position, completed: false, completing: false });
    else if (line.t === 'complete') expected.messages.get(line.clientMessageId)!.completing = true;
    else if (line.t === 'completed') expected.messages.get(line.clientMessageId)!.completed = true;
    else if (line.t === 'transcript') expected.lines.set(line.line, line.digest);
    else if (line.t === 'transcribed') expected.ackedLines.add(line.line);
  }
}

async function verify(store: DurabilityCrashStore, sessionId: string, expected: Expected): Promise<number> {
  const fail = (message: string): never => {
    throw new Error(`durability crash test: ${message}`);
  };
  const events = await store.eventLog.read(sessionId, 0);
  const { latestSeq } = await store.eventLog.bounds(sessionId);
  if (latestSeq < expected.highestAckedSeq) fail(`latestSeq ${latestSeq} is below the acknowledged seq ${expected.highestAckedSeq}`);
  events.forEach((logged, index) => {
    if (logged.seq !== index + 1) fail(`seq ${logged.seq} found at position ${index + 1}: a gap or a reused seq`);
  });
  if (events.length !== latestSeq) fail(`latestSeq ${latestSeq} but ${events.length} events kept (nothing was trimmed)`);
  const byBatch = new Map<string, { seqs: number[]; deltas: string[] }>();
  for (const logged of events) {
    const parsed = parseCrashDelta(logged.event) ?? fail(`seq ${logged.seq} is not a crash-writer event`);
    const group = byBatch.get(parsed.batch) ?? { seqs: [], deltas: [] };
    if (parsed.index !== group.deltas.length) fail(`batch ${parsed.batch} out of order at seq ${logged.seq}`);
    group.seqs.push(logged.seq);
    group.deltas.push(parsed.delta);
    byBatch.set(parsed.batch, group);
  }
  for (const [batch, group] of byBatch) {
    const announced = expected.announced.get(batch) ?? fail(`batch ${batch} was never announced`);
    if (group.deltas.length !== announced.count || batchDigest(group.deltas) !== announced.digest) fail(`batch ${batch} is torn or corrupt`);
    if (group.seqs.at(-1)! - group.seqs[0]! !== group.seqs.length - 1) fail(`batch ${batch} is interleaved`);
  }
  for (const [batch, acked] of expected.batches) {
    const group = byBatch.get(batch) ?? fail(`acknowledged batch ${batch} is missing`);
    if (group.seqs[0] !== acked.firstSeq) fail(`batch ${batch} moved from seq ${acked.firstSeq} to ${group.seqs[0]}`);
  }
  const pending = new Map((await store.turnQueue.pending(sessionId)).map((turn) => [turn.clientMessageId, turn]));
  for (const [clientMessageId, message] of expected.messages) {
    const turn = pending.get(clientMessageId);
    if (message.completed && turn) fail(`message ${clientMessageId} was completed but is pending again`);
    if (!message.completing && turn?.position !== message.position) fail(`acknowledged message ${clientMessageId} is not pending at position ${message.position}`);
  }
  if (store.transcripts) await verifyTranscript(store.transcripts, sessionId, expected, fail);
  return events.length;
}

/** The stored transcript: announced lines only, whole, in announcement order, every acknowledged one. */
async function verifyTranscript(adapter: PersistenceAdapter, sessionId: string, expected: Expected, fail: (message: string) => never): Promise<void> {
  const text = (await adapter.loadSession(sessionId))?.rawTranscript ?? '';
  if (text !== '' && !text.endsWith('\n')) fail('the transcript ends in a torn line');
  const order = new Map([...expected.lines.keys()].map((name, index) => [name, index]));
  let last = -1;
  const present = new Set<string>();
  for (const line of text.split('\n').slice(0, -1)) {
    const name = transcriptLineName(line) ?? fail(`transcript line is not a crash-writer line: ${line.slice(0, 80)}`);
    if (expected.lines.get(name) !== lineDigest(line)) fail(`transcript line ${name} is corrupt or was never announced`);
    const index = order.get(name)!;
    if (index <= last) fail(`transcript line ${name} is out of order or duplicated`);
    last = index;
    present.add(name);
  }
  for (const name of expected.ackedLines) if (!present.has(name)) fail(`acknowledged transcript line ${name} is missing`);
}

/**
 * The SIGKILL test for a durable event log and turn queue: `kills` times, start a writer on the
 * same session, kill it at a random point, reopen the store and check that every acknowledged
 * batch is there at the seqs it was given, whole and in order; that seqs run from 1 with no gap
 * or reuse (each run numbers on from the last); that every acknowledged message is pending at its
 * position (or done, once its completion was acknowledged) and that retrying its
 * `clientMessageId` is a duplicate; with `transcripts`, that the transcript holds every
 * acknowledged appended line, whole and in order (and nothing torn).
 */
export async function runDurabilityCrashTest(options: DurabilityCrashTestOptions): Promise<DurabilityCrashTestReport> {
  const kills = options.kills ?? 20;
  const sessionId = `durability-crash-${process.pid}`;
  const expected: Expected = { batches: new Map(), announced: new Map(), messages: new Map(), highestAckedSeq: 0, lines: new Map(), ackedLines: new Set() };
  let eventsVerified = 0;
  for (let run = 0; run < kills; run += 1) {
    collect(expected, await killAtRandom<DurabilityCrashLine>(options.spawnWriter(sessionId, `r${run}`), options.maxDelayMs ?? 500));
    const store = await options.openStore();
    try {
      await store.check?.();
      eventsVerified = await verify(store, sessionId, expected);
    } finally {
      await store.close();
    }
  }
  const store = await options.openStore();
  try {
    for (const [clientMessageId, message] of expected.messages) {
      const retry = await store.turnQueue.enqueue(sessionId, { content: 'retry', clientMessageId }, new Date().toISOString());
      if (!retry.duplicate || retry.turn.position !== message.position) {
        throw new Error(`durability crash test: a retry of ${clientMessageId} was accepted again (position ${retry.turn.position}, duplicate ${retry.duplicate})`);
      }
    }
  } finally {
    await store.close();
  }
  return { kills, acknowledgedAppends: expected.batches.size, acknowledgedEnqueues: expected.messages.size, acknowledgedTranscriptAppends: expected.ackedLines.size, eventsVerified };
}
