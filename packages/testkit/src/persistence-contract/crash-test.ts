import type { ChildProcess } from 'node:child_process';
import type { PersistenceAdapter, SavedSessionData } from '@agent-runtime/core';
import { killAtRandom } from '../contract-helpers/kill-at-random.js';
import { crashChecksum, type CrashWriterLine } from './crash-writer.js';

export interface CrashStore {
  adapter: PersistenceAdapter;
  /** Extra checks that the store opened cleanly (e.g. SQLite's integrity_check). */
  check?(): Promise<void>;
  close(): Promise<void>;
}

export interface PersistenceCrashTestOptions {
  /** Starts a child running `runCrashWriter` for `sessionId` with its stdout piped. */
  spawnWriter(sessionId: string): ChildProcess;
  /** Opens the store the children write to (after each kill). */
  openStore(): Promise<CrashStore>;
  /** Default 20. */
  kills?: number;
  /** The kill lands at a random point up to this long after the writer is ready. Default 500 ms. */
  maxDelayMs?: number;
}

export interface PersistenceCrashTestReport {
  kills: number;
  /** Acknowledged records found intact, summed over every verification pass. */
  recordsVerified: number;
  /** Acknowledged writes, over all runs. */
  acknowledgedWrites: number;
}

interface KeyState {
  acked?: string;
  /** Checksums announced after the last acknowledgement (a write cut short by the kill). */
  pending: string[];
}

/** Collects the protocol lines of one killed writer into the state each key may be in. */
function expectedState(lines: CrashWriterLine[]): Map<string, KeyState> {
  const intents = new Map<number, { key: string; sha: string }>();
  const keys = new Map<string, KeyState>();
  for (const line of lines) {
    if (line.t === 'intent') {
      intents.set(line.seq, line);
      const state = keys.get(line.key) ?? { pending: [] };
      state.pending.push(line.sha);
      keys.set(line.key, state);
    } else if (line.t === 'ack') {
      const intent = intents.get(line.seq);
      if (!intent) throw new Error(`crash writer acknowledged unknown write ${line.seq}`);
      const state = keys.get(intent.key)!;
      state.acked = intent.sha;
      state.pending = [];
    }
  }
  return keys;
}

function storedChecksum(session: SavedSessionData | null, key: string): string | undefined {
  if (!session) return undefined;
  const [kind, , ...rest] = key.split(':');
  if (kind === 'session') return '';
  if (kind === 'transcript') return session.rawTranscript === undefined ? undefined : crashChecksum(session.rawTranscript);
  if (kind === 'subagent') {
    const transcript = session.subagents?.find((subagent) => subagent.id === rest.join(':'))?.rawTranscript;
    return transcript === undefined ? undefined : crashChecksum(transcript);
  }
  const file = session.workspaceFiles.find((candidate) => candidate.path === rest.join(':'));
  return file ? crashChecksum(file.content, file.encoding) : undefined;
}

/** Checks every key of one run; returns how many acknowledged records were found intact. */
async function verifyRun(adapter: PersistenceAdapter, sessionId: string, keys: Map<string, KeyState>): Promise<number> {
  const session = await adapter.loadSession(sessionId);
  let verified = 0;
  for (const [key, state] of keys) {
    const stored = storedChecksum(session, key);
    const allowed = [...(state.acked === undefined ? [] : [state.acked]), ...state.pending];
    if (state.acked === undefined && stored === undefined) continue;
    if (stored === undefined || !allowed.includes(stored)) {
      throw new Error(
        `crash test: ${key} of ${sessionId} is ${stored === undefined ? 'missing' : 'corrupt or stale'} ` +
          `(acknowledged ${state.acked ?? 'nothing'}, stored ${stored ?? 'nothing'})`,
      );
    }
    if (state.acked !== undefined) verified += 1;
  }
  return verified;
}

/**
 * The SIGKILL test: `kills` times, start a writer, kill it at a random point, reopen the store
 * and check that it opens cleanly and that every write acknowledged so far (in this run and the
 * earlier ones) is there and intact — or replaced by the write that was in flight.
 */
export async function runPersistenceCrashTest(options: PersistenceCrashTestOptions): Promise<PersistenceCrashTestReport> {
  const kills = options.kills ?? 20;
  const runs: { sessionId: string; keys: Map<string, KeyState> }[] = [];
  let recordsVerified = 0;
  let acknowledgedWrites = 0;
  for (let run = 0; run < kills; run += 1) {
    const sessionId = `crash-${process.pid}-${run}`;
    const lines = await killAtRandom<CrashWriterLine>(options.spawnWriter(sessionId), options.maxDelayMs ?? 500);
    acknowledgedWrites += lines.filter((line) => line.t === 'ack').length;
    runs.push({ sessionId, keys: expectedState(lines) });
    const store = await options.openStore();
    try {
      await store.check?.();
      for (const earlier of runs) recordsVerified += await verifyRun(store.adapter, earlier.sessionId, earlier.keys);
    } finally {
      await store.close();
    }
  }
  return { kills, recordsVerified, acknowledgedWrites };
}
