// Parse a ~50 MB Gemini CLI session file built from real recorded lines; compare with a bare
// JSON.parse of every line (same input, same run). Last line: JSON with the ratio.
// Needs: pnpm --filter @agent-runtime/transcript-gemini build
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGeminiSession } from '@agent-runtime/transcript-gemini';
import { compareWithJsonParse } from './lib/parse-throughput.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'packages', 'transcript-gemini', 'src', '__fixtures__');
const targetMB = Number(process.env.BENCH_MB ?? 50);

// One long session: the header and session context once, then the recorded tool loop (user
// prompt, gemini records upserted with thoughts/tokens/toolCalls, functionResponse records,
// `$set.lastUpdated` patches) and text turns repeated, with message and tool ids made unique.
const lines = (name, run) => readFileSync(join(fixtures, name, `run-${run}.session.jsonl`), 'utf8').trim().split('\n');
const toolLoop = lines('tool-loop', 1);
const head = toolLoop.slice(0, 2);
const body = [...toolLoop.slice(2), ...lines('text-thinking-resume', 1).slice(2)].join('\n');
const parts = [head.join('\n')];
let size = parts[0].length;
for (let copy = 0; size < targetMB * 1024 * 1024; copy++) {
  const chunk = body
    .replace(/"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g, `"$1-${copy}"`)
    .replace(/(call_fake_\d+)/g, `$1_${copy}`);
  parts.push(chunk);
  size += chunk.length + 1;
}
const text = parts.join('\n') + '\n';
compareWithJsonParse({ bench: 'transcript-parse-gemini', parserName: 'parseGeminiSession', text, parse: parseGeminiSession });
