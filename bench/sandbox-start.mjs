#!/usr/bin/env node
// Sandbox start benchmark: local provider create -> exec `echo hi` -> first stdout byte ->
// terminate, against a bare child_process.spawn('echo', ['hi']) -> first stdout byte, in the same
// run (interleaved, after a warm-up). Run `pnpm --filter @agent-runtime/sandbox-local build` first.
// Usage: node bench/sandbox-start.mjs [iterations=20]
// The last line is JSON; "ratio" = sandbox median / bare spawn median (create to first byte).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';

const iterations = Number(process.argv[2] ?? 20);
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
  console.log(`iterations: ${iterations}`);
  console.log(`bare spawn('echo hi') -> first byte:        median ${round(bareMedian)} ms`);
  console.log(`sandbox create:                              median ${round(createMedian)} ms`);
  console.log(`sandbox create -> exec -> first byte:        median ${round(sandboxMedian)} ms`);
  console.log(`sandbox create -> first byte -> terminated:  median ${round(totalMedian)} ms`);
  console.log(
    JSON.stringify({
      bench: 'sandbox-start',
      ratio: round(sandboxMedian / bareMedian),
      iterations,
      bareFirstByteMs: round(bareMedian),
      sandboxFirstByteMs: round(sandboxMedian),
      sandboxCreateMs: round(createMedian),
      sandboxTotalWithTerminateMs: round(totalMedian),
    }),
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
