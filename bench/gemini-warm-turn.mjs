// Gemini CLI kept warm between turns (issue 16, item 2): message -> first block of a session's
// SECOND turn through the session engine, with one `gemini --acp` process per session ('warm')
// and with a fresh `gemini -o stream-json` per turn ('per-turn', which resumes the session), against
// the bare CLI's cold first block, all in the same run; and the RSS of a warm idle `gemini --acp`.
// The second message is sent as soon as the first turn ends (the warm process started beside it).
// Last line: {"bench":"gemini-warm-turn","ratio":<warm second turn first block / bare cold first block>, ...}
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { SessionManager } from '@agent-runtime/session-engine';
import { startModelServer } from '@agent-runtime/testkit';
import { bareGemini as bareGeminiTurn, median } from './lib/bare-cli.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MODEL = 'gemini-2.5-flash';
/** The bare CLI, cold: spawn -> first assistant stream-json event (ms). */
const bareGemini = async (server) => (await bareGeminiTurn(server, { prompt: 'hello', model: MODEL })).first;
const scenario = { turns: [{ match: {}, reply: { text: ['Hello ', 'there.'] }, times: 'always' }] };

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
