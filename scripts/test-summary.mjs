#!/usr/bin/env node
// Reads vitest output (through turbo) on stdin, echoes it, and ends with one line that sums the
// test counts of every package: "N passed, N failed, N skipped".
import { createInterface } from 'node:readline';

const totals = { passed: 0, failed: 0, skipped: 0 };
// eslint-disable-next-line no-control-regex -- strips ANSI colour codes, which start with ESC
const strip = (line) => line.replace(/\x1b\[[0-9;]*m/g, '');
for await (const line of createInterface({ input: process.stdin })) {
  process.stdout.write(`${line}\n`);
  const text = strip(line);
  const match = /\bTests\s+(.*)\((\d+)\)\s*$/.exec(text);
  if (!match) continue;
  for (const [, count, kind] of match[1].matchAll(/(\d+)\s+(passed|failed|skipped)/g)) totals[kind] += Number(count);
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
