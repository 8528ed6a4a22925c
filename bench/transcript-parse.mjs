// `pnpm bench transcript-parse`: runs the Claude and the Gemini parser benchmarks (each parses a
// ~50 MB transcript and compares with a bare JSON.parse of every line in the same run).
// Last line: {"bench":"transcript-parse","ratio":<the lower of the two ratios>, "claude":{...}, "gemini":{...}}
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function run(name) {
  const script = fileURLToPath(new URL(`./transcript-parse-${name}.mjs`, import.meta.url));
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  if (result.status !== 0) throw new Error(`transcript-parse-${name} failed with ${result.status}`);
  const last = result.stdout.trim().split('\n').at(-1);
  return JSON.parse(last);
}

const claude = run('claude');
const gemini = run('gemini');
console.log(JSON.stringify({ bench: 'transcript-parse', ratio: Math.min(claude.ratio, gemini.ratio), claude, gemini }));
