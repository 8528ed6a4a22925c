#!/usr/bin/env node
// Sandbox start benchmark: local provider create -> exec `echo hi` -> first stdout byte ->
// terminate, against a bare child_process.spawn('echo', ['hi']) -> first stdout byte, in the same
// run (interleaved, after a warm-up). Run `pnpm --filter @agent-runtime/sandbox-local build` first.
// Then the Modal driver (real modal@0.11.1 SDK) against the fake Modal server with 80 ms injected
// per RPC: restoring a 200-file workspace the old way (one writeFile exec per file) vs the new way
// (one batched writeFiles exec), counting the execs the fake received and timing each.
// And the Modal change feed's workspace listings (one exec each) in an idle sandbox over
// MODAL_WATCH_SECONDS (default 40): always every second as before (watchIdleIntervalMs = the 1 s
// interval) vs the default back-off to 30 s, both watchers at once.
// Run `pnpm turbo run build --filter=@agent-runtime/sandbox-modal...` first.
// Usage: node bench/sandbox-start.mjs [iterations=20] [restoreFiles=200] [latencyMs=80]
// The last line is JSON; "ratio" = sandbox median / bare spawn median (create to first byte);
// "modalRestoreExecs" = execs of the batched restore, "modalRestoreRatio" = batched / per-file time.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { createModalSandboxProvider } from '@agent-runtime/sandbox-modal';
import { startFakeModalHarness } from '@agent-runtime/sandbox-modal/test';

const iterations = Number(process.argv[2] ?? 20);
const restoreFiles = Number(process.argv[3] ?? 200);
const latencyMs = Number(process.argv[4] ?? 80);
const dataDir = mkdtempSync(join(tmpdir(), 'bench-sandbox-start-'));
const provider = createLocalSandboxProvider({ dataDir });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function bareFirstByte() {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('echo', ['hi'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let firstByte;
    child.stdout.once('data', () => (firstByte = performance.now() - start));
    child.once('error', reject);
    child.once('close', () => resolve(firstByte));
  });
}

async function sandboxFirstByte(index) {
  const start = performance.now();
  const sandbox = await provider.create({ sessionId: `bench-${index}` });
  const created = performance.now() - start;
  const process = await sandbox.exec(['echo', 'hi']);
  const reader = process.stdout.getReader();
  const { value } = await reader.read();
  const firstByte = performance.now() - start;
  if (!value || value[0] !== 'h'.charCodeAt(0)) throw new Error('unexpected output');
  await reader.cancel();
  await process.wait();
  await sandbox.terminate();
  const total = performance.now() - start;
  return { created, firstByte, total };
}

/** The 200-file restore on the Modal driver, per file (before) and batched (after), alternating. */
async function modalRestore() {
  const harness = await startFakeModalHarness({ latencyMs });
  try {
    const modal = createModalSandboxProvider({ client: harness.modal, appName: 'bench-restore', deployment: 'bench' });
    const files = Array.from({ length: restoreFiles }, (_, index) => ({
      path: `src/module-${index % 10}/file-${index}.ts`,
      content: `export const value${index} = ${JSON.stringify('x'.repeat(200 + (index % 50) * 40))};\n`,
    }));
    const measure = async (label, restore) => {
      const sandbox = await modal.create({ sessionId: `bench-${label}` });
      const state = harness.fake.state.sandboxes.get(sandbox.id);
      const before = state.execs.length;
      const start = performance.now();
      await restore(sandbox);
      const ms = performance.now() - start;
      const execs = state.execs.length - before;
      const listed = await sandbox.listFiles();
      if (listed.length !== files.length) throw new Error(`${label}: ${listed.length} files restored, expected ${files.length}`);
      await sandbox.terminate();
      return { ms, execs };
    };
    const perFile = (sandbox) => files.reduce((previous, file) => previous.then(() => sandbox.writeFile(file.path, file.content)), Promise.resolve());
    const batched = (sandbox) => sandbox.writeFiles(files);
    await measure('warm-up', batched);
    const after = await measure('after', batched);
    const before = await measure('before', perFile);
    return { before, after };
  } finally {
    await harness.close();
  }
}

/** Workspace listings of an open change feed in an idle sandbox: polling every second (before) vs backing off (after). */
async function modalWatchIdle(seconds) {
  const harness = await startFakeModalHarness({ latencyMs });
  try {
    const count = async (label, watchIdleIntervalMs) => {
      const provider = createModalSandboxProvider({ client: harness.modal, appName: 'bench-watch', deployment: 'bench', ...(watchIdleIntervalMs ? { watchIdleIntervalMs } : {}) });
      const sandbox = await provider.create({ sessionId: `bench-watch-${label}` });
      const state = harness.fake.state.sandboxes.get(sandbox.id);
      const watcher = await sandbox.watch(() => undefined);
      const before = state.execs.length;
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const execs = state.execs.length - before;
      await watcher.close();
      await sandbox.terminate();
      return execs;
    };
    const [before, after] = await Promise.all([count('before', 1000), count('after', undefined)]);
    return { before, after };
  } finally {
    await harness.close();
  }
}

try {
  await sandboxFirstByte(-1); // warm-up: finds and probes bwrap once, loads the page cache
  await bareFirstByte();
  const bare = [];
  const sandboxed = [];
  for (let index = 0; index < iterations; index += 1) {
    bare.push(await bareFirstByte());
    sandboxed.push(await sandboxFirstByte(index));
  }
  const bareMedian = median(bare);
  const sandboxMedian = median(sandboxed.map((sample) => sample.firstByte));
  const createMedian = median(sandboxed.map((sample) => sample.created));
  const totalMedian = median(sandboxed.map((sample) => sample.total));
  const round = (value) => Math.round(value * 100) / 100;
  const restore = await modalRestore();
  const watchSeconds = Number(process.env.MODAL_WATCH_SECONDS ?? 40);
  const watch = await modalWatchIdle(watchSeconds);
  console.log(`iterations: ${iterations}`);
  console.log(`bare spawn('echo hi') -> first byte:        median ${round(bareMedian)} ms`);
  console.log(`sandbox create:                              median ${round(createMedian)} ms`);
  console.log(`sandbox create -> exec -> first byte:        median ${round(sandboxMedian)} ms`);
  console.log(`sandbox create -> first byte -> terminated:  median ${round(totalMedian)} ms`);
  console.log(`modal (fake, ${latencyMs} ms/RPC) restore ${restoreFiles} files, one exec per file (before): ${restore.before.execs} execs, ${round(restore.before.ms)} ms`);
  console.log(`modal (fake, ${latencyMs} ms/RPC) restore ${restoreFiles} files, batched writeFiles (after):  ${restore.after.execs} execs, ${round(restore.after.ms)} ms`);
  console.log(`modal (fake, ${latencyMs} ms/RPC) change feed, idle ${watchSeconds} s: ${watch.before} listings polling every second (before), ${watch.after} backing off to 30 s (after)`);
  console.log(
    JSON.stringify({
      bench: 'sandbox-start',
      ratio: round(sandboxMedian / bareMedian),
      iterations,
      bareFirstByteMs: round(bareMedian),
      sandboxFirstByteMs: round(sandboxMedian),
      sandboxCreateMs: round(createMedian),
      sandboxTotalWithTerminateMs: round(totalMedian),
      modalRestoreFiles: restoreFiles,
      modalLatencyMs: latencyMs,
      modalRestoreExecsBefore: restore.before.execs,
      modalRestoreExecs: restore.after.execs,
      modalRestoreMsBefore: round(restore.before.ms),
      modalRestoreMs: round(restore.after.ms),
      modalRestoreRatio: round(restore.after.ms / restore.before.ms),
      modalWatchIdleSeconds: watchSeconds,
      modalWatchIdleExecsBefore: watch.before,
      modalWatchIdleExecs: watch.after,
    }),
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
