// What the runtime adds on top of the agent: time from sendMessage to the first block event and to
// the turn end, through the session engine (local bubblewrap sandbox, sync, events), against the
// same CLI run bare (plain spawn on the host) with the same scenario, in the same run. The engine's
// sandboxes have no network: every model request goes through the sandbox's egress proxy.
// Last line: {"bench":"turn-overhead","ratio":<worst turn-end ratio>, ...}
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture, geminiCliArgs, geminiCliEntryPath, geminiCliEnv, geminiSettings } from '@agent-runtime/agent-gemini';
import { startModelServer } from '@agent-runtime/testkit';
import { bareClaudeTurn } from './lib/bare-claude.mjs';
import { startBenchEngine } from './lib/bench-engine.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const scenario = (claude) => ({
  turns: [
    {
      match: { lastUserText: /write/ },
      reply: {
        text: ['Writing ', 'the file.'],
        toolCalls: [claude ? { name: 'Write', input: { file_path: '{{cwd}}/out.txt', content: 'x\n' } } : { name: 'write_file', input: { file_path: 'out.txt', content: 'x\n' } }],
      },
      times: 'always',
    },
    { match: { lastToolResult: true }, reply: { text: 'done' }, times: 'always' },
  ],
});

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

function bareGemini(server) {
  const root = mkdtempSync(join(tmpdir(), 'bench-bare-gemini-'));
  const home = join(root, 'home');
  const cwd = join(root, 'ws');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(join(home, '.gemini'), { recursive: true });
  mkdirSync(join(home, 'tmp'), { recursive: true });
  writeFileSync(join(home, '.gemini', 'settings.json'), JSON.stringify(geminiSettings({ id: 'bench', name: 'Bench' })));
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let first;
    let buffer = '';
    const child = spawn(process.execPath, [geminiCliEntryPath(), ...geminiCliArgs({ prompt: 'please write the file', model: 'gemini-2.5-flash', sessionId: randomUUID() })], {
      cwd,
      env: geminiCliEnv({ home, path: process.env.PATH, variables: { GEMINI_API_KEY: 'bench-key', GOOGLE_GEMINI_BASE_URL: server.url } }),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      if (first === undefined && buffer.includes('"role":"assistant"')) first = performance.now() - started;
    });
    child.on('error', reject);
    child.on('close', () => {
      rmSync(root, { recursive: true, force: true });
      resolve({ first, end: performance.now() - started });
    });
  });
}

async function engineTurns(type, server, rounds) {
  const architecture =
    type === 'claude-agent-sdk'
      ? createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-bench' }, model: 'claude-sonnet-4-5' })
      : createGeminiArchitecture({ env: { GEMINI_API_KEY: 'bench', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'gemini-2.5-flash' });
  const engine = await startBenchEngine(architecture);
  const { manager } = engine;
  const results = [];
  for (let round = 0; round < rounds; round++) {
    // A fresh session each round (like the bare run), its sandbox warm as after create.
    const { sessionId } = await manager.createSession({ agentProfileRef: 'bench', architecture: type });
    await new Promise((resolve) => {
      const off = manager.events.subscribe((event) => {
        if (event.event === 'session:status' && event.sessionId === sessionId && event.data.status === 'active') {
          off();
          resolve();
        }
      });
    });
    const result = await new Promise((resolve) => {
      let first;
      let started;
      const off = manager.events.subscribe((event) => {
        if (event.sessionId !== sessionId) return;
        if (first === undefined && event.event.startsWith('session:block:') && !JSON.stringify(event.data).includes('"user_message"')) {
          first = performance.now() - started;
        }
        if (event.event === 'session:turn:end') {
          off();
          resolve({ first, end: performance.now() - started, outcome: event.data.outcome });
        }
      });
      started = performance.now();
      manager.sendMessage(sessionId, { content: 'please write the file' });
    });
    if (result.outcome !== 'completed') throw new Error(`engine turn ended ${result.outcome}`);
    results.push(result);
    await manager.terminateSession(sessionId);
  }
  await engine.close();
  return results;
}

async function measure(type) {
  const claude = type === 'claude-agent-sdk';
  const server = await startModelServer(scenario(claude));
  const bare = [];
  const engine = [];
  // Warm the page cache for the CLI binaries once.
  await (claude ? bareClaudeTurn(server, 'please write the file') : bareGemini(server));
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await (claude ? bareClaudeTurn(server, 'please write the file') : bareGemini(server)));
    engine.push(...(await engineTurns(type, server, 1)));
  }
  await server.close();
  const summary = {
    bareFirstMs: Math.round(median(bare.map((r) => r.first))),
    bareEndMs: Math.round(median(bare.map((r) => r.end))),
    engineFirstMs: Math.round(median(engine.map((r) => r.first))),
    engineEndMs: Math.round(median(engine.map((r) => r.end))),
  };
  summary.firstBlockRatio = Number((summary.engineFirstMs / summary.bareFirstMs).toFixed(3));
  summary.turnEndRatio = Number((summary.engineEndMs / summary.bareEndMs).toFixed(3));
  console.log(`${type}: bare first ${summary.bareFirstMs} ms / end ${summary.bareEndMs} ms; engine first ${summary.engineFirstMs} ms / end ${summary.engineEndMs} ms; ratios ${summary.firstBlockRatio} / ${summary.turnEndRatio}`);
  return summary;
}

const claude = await measure('claude-agent-sdk');
const gemini = await measure('gemini-cli');
console.log(
  JSON.stringify({
    bench: 'turn-overhead',
    ratio: Math.max(claude.turnEndRatio, gemini.turnEndRatio),
    rounds: ROUNDS,
    claude,
    gemini,
  }),
);
