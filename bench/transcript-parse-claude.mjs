// Parse a ~50 MB Claude Code transcript built from real recorded lines; compare with a bare
// JSON.parse of every line (same input, same run). Last line: JSON with the ratio.
// Needs: pnpm --filter @agent-runtime/transcript-claude build
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClaudeTranscript } from '../packages/transcript-claude/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'packages', 'transcript-claude', 'src', '__fixtures__');
const targetMB = Number(process.env.BENCH_MB ?? 50);

// Realistic material: the recorded tool-loop and subagent sessions, with ids made unique per copy.
const seed = ['tools', 'subagent', 'text'].map((name) => readFileSync(join(fixtures, name, 'main.jsonl'), 'utf8').trim()).join('\n');
const parts = [];
let size = 0;
for (let copy = 0; size < targetMB * 1024 * 1024; copy++) {
  const chunk = seed.replace(/"(msg_[A-Za-z0-9_]+|toolu_[A-Za-z0-9_]+)"/g, `"$1_${copy}"`);
  parts.push(chunk);
  size += chunk.length + 1;
}
const text = parts.join('\n') + '\n';
const megabytes = Buffer.byteLength(text) / (1024 * 1024);

function timeIt(fn, rounds = 3) {
  let best = Infinity;
  let result;
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    result = fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: best, result };
}

const baseline = timeIt(() => {
  let count = 0;
  for (const line of text.split('\n')) if (line) { JSON.parse(line); count++; }
  return count;
});
const parser = timeIt(() => parseClaudeTranscript(text));
const jsonParseMBps = megabytes / (baseline.ms / 1000);
const parserMBps = megabytes / (parser.ms / 1000);
console.log(`input: ${megabytes.toFixed(1)} MB, ${baseline.result} lines`);
console.log(`JSON.parse per line: ${baseline.ms.toFixed(0)} ms, ${jsonParseMBps.toFixed(1)} MB/s`);
console.log(`parseClaudeTranscript: ${parser.ms.toFixed(0)} ms, ${parserMBps.toFixed(1)} MB/s, ${parser.result.blocks.length} blocks, ${parser.result.skipped.length} skipped lines`);
console.log(JSON.stringify({
  bench: 'transcript-parse-claude',
  ratio: Number((parserMBps / jsonParseMBps).toFixed(3)),
  parserMBps: Number(parserMBps.toFixed(1)),
  jsonParseMBps: Number(jsonParseMBps.toFixed(1)),
  megabytes: Number(megabytes.toFixed(1)),
  blocks: parser.result.blocks.length,
}));
