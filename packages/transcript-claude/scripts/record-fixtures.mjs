#!/usr/bin/env node
// Regenerates src/__fixtures__/<scenario>/ (main.jsonl, subagents/, sdk-messages.jsonl) by running the
// real-Claude-Code scenarios of @agent-runtime/agent-claude (test/claude-architecture.test.ts)
// against the scripted model server. Usage: node scripts/record-fixtures.mjs [scenario-name-filter]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, '..', 'src', '__fixtures__');
const keep = ['text', 'tools', 'failed-tool', 'subagent', 'background-subagent', 'resume', 'model-error', 'interrupt'];
// With a filter only the matching scenarios are re-recorded: keep the others.
if (!process.argv[2]) for (const name of keep) rmSync(join(fixtures, name), { recursive: true, force: true });
const args = ['vitest', 'run', 'test/claude-architecture.test.ts', ...(process.argv[2] ? ['-t', process.argv[2]] : [])];
execFileSync('npx', args, {
  cwd: join(here, '..', '..', 'agent-claude'),
  env: { ...process.env, RECORD_FIXTURES: fixtures },
  stdio: 'inherit',
});
// Keep fixtures small: non-dialogue lines (tool schemas, prompt snapshots) keep their type but lose bulk.
const trim = (file) => {
  const lines = readFileSync(file, 'utf8').split('\n').map((line) => {
    if (line.length < 2000) return line;
    const entry = JSON.parse(line);
    if (entry.type === 'user' || entry.type === 'assistant' || entry.type === 'stream_event' || entry.type === 'result') return line;
    const slim = {};
    for (const [key, value] of Object.entries(entry)) slim[key] = typeof value === 'object' && value !== null && JSON.stringify(value).length > 500 ? { trimmed: true } : value;
    return JSON.stringify(slim);
  });
  writeFileSync(file, lines.join('\n'));
};
const walk = (dir) => { for (const name of readdirSync(dir)) { const path = join(dir, name); if (statSync(path).isDirectory()) walk(path); else if (name.endsWith('.jsonl')) trim(path); } };
walk(fixtures);
console.log(`fixtures written to ${fixtures}`);
