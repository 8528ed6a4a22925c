import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { AnyServerEvent, PersistenceAdapter, PersistenceExtensions, SessionEventLog, TurnQueueStore } from '@agent-runtime/core';
import { printLine } from '../contract-helpers/print-line.js';

/**
 * One line of the durability crash-writer protocol (JSON on stdout). Each write is announced
 * before it starts and acknowledged only after its promise resolved.
 */
export type DurabilityCrashLine =
  | { t: 'ready' }
  | { t: 'append'; batch: string; count: number; digest: string }
  | { t: 'appended'; batch: string; firstSeq: number }
  | { t: 'enqueue'; clientMessageId: string }
  | { t: 'enqueued'; clientMessageId: string; position: number }
  | { t: 'complete'; clientMessageId: string; position: number }
  | { t: 'completed'; clientMessageId: string }
  | { t: 'transcript'; line: string; digest: string }
  | { t: 'transcribed'; line: string };

/** What the writer writes through: the log and queue, and optionally an adapter with `appendTranscript`. */
export interface DurabilityCrashStores {
  eventLog: SessionEventLog;
  turnQueue: TurnQueueStore;
  /** When given, each iteration also appends one JSONL line to the session's transcript. */
  transcripts?: PersistenceAdapter & Required<Pick<PersistenceExtensions, 'appendTranscript'>>;
}

export interface DurabilityCrashWriterOptions {
  /** The session the event log and the queue are written for (the same in every run). */
  sessionId: string;
  /** Unique per run: prefixes batch names and client message ids. */
  runId: string;
  /** Stops after this many loop iterations; runs until killed by default. */
  iterations?: number;
  print?: (line: string) => void | Promise<void>;
}

/** The digest the crash test compares for one appended batch: its deltas in order. */
export function batchDigest(deltas: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(deltas)).digest('hex');
}

/** The digest of one appended transcript line (without its newline). */
export function lineDigest(line: string): string {
  return createHash('sha256').update(line).digest('hex');
}

/** The name a crash-writer transcript line starts with (`{"line":"<name>",...}`). */
export function transcriptLineName(line: string): string | undefined {
  try {
    return (JSON.parse(line) as { line?: string }).line;
  } catch {
    return undefined;
  }
}

/** The batch name and index a crash-writer event carries in its delta (`<batch>#<index>#<payload>`). */
export function parseCrashDelta(event: AnyServerEvent): { batch: string; index: number; delta: string } | undefined {
  if (event.event !== 'session:block:delta') return undefined;
  const [batch, index] = event.data.delta.split('#');
  return batch === undefined || index === undefined ? undefined : { batch, index: Number(index), delta: event.data.delta };
}

/**
 * The child side of the durability SIGKILL test: appends event batches (1-8 events, with
 * multi-byte text), transcript lines (with `transcripts`) and enqueues messages — completing some
 * of them — in a loop, until killed.
 */
export async function runDurabilityCrashWriter(stores: DurabilityCrashStores, options: DurabilityCrashWriterOptions): Promise<void> {
  const print = options.print ?? printLine;
  const say = async (line: DurabilityCrashLine) => print(JSON.stringify(line));
  const { sessionId, runId } = options;
  await stores.eventLog.bounds(sessionId); // opens the store before the kill window starts
  // An upsert: keeps the transcript earlier runs appended to.
  await stores.transcripts?.createSessionRecord({ sessionId, type: 'claude-agent-sdk', agentProfileReference: 'crash', status: 'active' });
  await say({ t: 'ready' });
  for (let iteration = 0; iteration < (options.iterations ?? Number.POSITIVE_INFINITY); iteration += 1) {
    const batch = `${runId}-${iteration}`;
    const deltas = Array.from({ length: randomInt(1, 9) }, (_, index) => `${batch}#${index}#${randomBytes(randomInt(8, 2048)).toString('base64')} 日本語 🎉 e\u0301\n`);
    const events: AnyServerEvent[] = deltas.map((delta) => ({ event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: batch, delta } }));
    await say({ t: 'append', batch, count: deltas.length, digest: batchDigest(deltas) });
    const appended = await stores.eventLog.append(sessionId, events);
    await say({ t: 'appended', batch, firstSeq: appended[0]!.seq });
    if (stores.transcripts) {
      const line = JSON.stringify({ line: batch, text: `${randomBytes(randomInt(16, 4096)).toString('base64')} 日本語 🎉` });
      await say({ t: 'transcript', line: batch, digest: lineDigest(line) });
      await stores.transcripts.appendTranscript(sessionId, `${line}\n`);
      await say({ t: 'transcribed', line: batch });
    }
    if (iteration % 2 === 0) {
      const clientMessageId = `${runId}-m${iteration}`;
      await say({ t: 'enqueue', clientMessageId });
      const { turn } = await stores.turnQueue.enqueue(sessionId, { content: `message ${clientMessageId} 日本語`, clientMessageId }, new Date().toISOString());
      await say({ t: 'enqueued', clientMessageId, position: turn.position });
      if (iteration % 3 === 0) {
        await say({ t: 'complete', clientMessageId, position: turn.position });
        await stores.turnQueue.markRunning(sessionId, turn.position, `turn-${clientMessageId}`);
        await stores.turnQueue.complete(sessionId, turn.position, 'completed');
        await say({ t: 'completed', clientMessageId });
      }
    }
  }
}
