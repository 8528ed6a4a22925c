// Gemini CLI kept warm between turns (issue 16, item 2): message -> first block of a session's
// SECOND turn through the session engine, with one `gemini --acp` process per session ('warm')
// and with a fresh `gemini -o stream-json` per turn ('per-turn', which resumes the session), against
// the bare CLI's cold first block, all in the same run; and the RSS of a warm idle `gemini --acp`.
// The second message is sent as soon as the first turn ends (the warm process started beside it).
// Last line: {"bench":"gemini-warm-turn","ratio":<warm second turn first block / bare cold first block>, ...}
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGeminiArchitecture, geminiCliArgs, geminiCliEntryPath, geminiCliEnv, geminiSettings } from '@agent-runtime/agent-gemini';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { SessionManager } from '@agent-runtime/session-engine';
import { startModelServer } from '@agent-runtime/testkit';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MODEL = 'gemini-2.5-flash';
const scenario = { turns: [{ match: {}, reply: { text: ['Hello ', 'there.'] }, times: 'always' }] };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The bare CLI, cold: spawn -> first assistant stream-json event. */
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
    const child = spawn(process.execPath, [geminiCliEntryPath(), ...geminiCliArgs({ prompt: 'hello', model: MODEL, sessionId: randomUUID() })], {
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
      resolve(first);
    });
  });
}

/** VmRSS (kB) of each `gemini --acp` process. */
function acpRssKb() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmdline.includes('--acp') || !cmdline.some((part) => part.endsWith('gemini.js')) || cmdline[0].endsWith('bwrap')) continue;
      found.push(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0));
    } catch {
      // gone
    }
  }
  return found;
}

async function secondTurns(mode, server) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-gemini-warm-'));
  const architecture = createGeminiArchitecture({ processMode: mode, env: { GEMINI_API_KEY: 'bench', GOOGLE_GEMINI_BASE_URL: server.url }, model: MODEL });
  const manager = new SessionManager({
    persistence: createMemoryPersistence({ profiles: [{ id: 'bench', name: 'Bench' }] }),
    sandboxProvider: createLocalSandboxProvider({ dataDir, network: 'none' }),
    architectures: [architecture],
    idleTimeoutMs: 600_000,
    syncIntervalMs: 30_000,
  });
  await manager.start();
  const turn = (sessionId, content) =>
    new Promise((resolve) => {
      let first;
      let started;
      const off = manager.events.subscribe((event) => {
        if (event.sessionId !== sessionId) return;
        if (first === undefined && event.event.startsWith('session:block:') && !JSON.stringify(event.data).includes('"user_message"')) first = performance.now() - started;
        if (event.event === 'session:turn:end') {
          off();
          resolve({ first, outcome: event.data.outcome });
        }
      });
      started = performance.now();
      manager.sendMessage(sessionId, { content });
    });
  const firsts = [];
  const thirds = [];
  const rss = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { sessionId } = await manager.createSession({ agentProfileRef: 'bench', architecture: 'gemini-cli' });
    const one = await turn(sessionId, 'hello');
    const two = await turn(sessionId, 'hello again');
    const three = await turn(sessionId, 'and again');
    if ([one, two, three].some((run) => run.outcome !== 'completed')) throw new Error(`${mode}: turns ended ${one.outcome}/${two.outcome}/${three.outcome}`);
    firsts.push(two.first);
    thirds.push(three.first);
    if (mode === 'warm') rss.push(...acpRssKb());
    await manager.terminateSession(sessionId);
  }
  await manager.stop();
  rmSync(dataDir, { recursive: true, force: true });
  return { firsts, thirds, rss };
}

const server = await startModelServer(scenario);
await bareGemini(server); // page cache
const bare = [];
for (let round = 0; round < ROUNDS; round++) bare.push(await bareGemini(server));
const perTurn = await secondTurns('per-turn', server);
const warm = await secondTurns('warm', server);
await server.close();
const summary = {
  bareColdFirstMs: Math.round(median(bare)),
  perTurnSecondFirstMs: Math.round(median(perTurn.firsts)),
  warmSecondFirstMs: Math.round(median(warm.firsts)),
  warmThirdFirstMs: Math.round(median(warm.thirds)),
  warmIdleRssMiB: warm.rss.length ? Math.round(median(warm.rss) / 1024) : undefined,
};
summary.warmTurnRatio = Number((summary.warmSecondFirstMs / summary.bareColdFirstMs).toFixed(3));
summary.perTurnRatio = Number((summary.perTurnSecondFirstMs / summary.bareColdFirstMs).toFixed(3));
console.log(
  `gemini-cli: bare cold first block ${summary.bareColdFirstMs} ms; second turn first block per-turn ${summary.perTurnSecondFirstMs} ms, warm ${summary.warmSecondFirstMs} ms (third ${summary.warmThirdFirstMs} ms); warm idle RSS ${summary.warmIdleRssMiB} MiB`,
);
console.log(JSON.stringify({ bench: 'gemini-warm-turn', ratio: summary.warmTurnRatio, warmTurnRatio: summary.warmTurnRatio, rounds: ROUNDS, gemini: { ...summary, samples: { bare, perTurn: perTurn.firsts, warm: warm.firsts, warmThird: warm.thirds, rssKb: warm.rss } } }));
