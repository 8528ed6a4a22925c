// Parse a ~50 MB Claude Code transcript built from real recorded lines; compare with a bare
// JSON.parse of every line (same input, same run). Last line: JSON with the ratio.
// Needs: pnpm build
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClaudeTranscript } from '@agent-runtime/transcript-claude';
import { compareWithJsonParse } from './lib/parse-throughput.mjs';

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
compareWithJsonParse({ bench: 'transcript-parse-claude', parserName: 'parseClaudeTranscript', text, parse: parseClaudeTranscript });
