// Gemini CLI kept warm between turns (issue 16, item 2): message -> first block of a session's
// SECOND turn through the session engine, with one `gemini --acp` process per session ('warm')
// and with a fresh `gemini -o stream-json` per turn ('per-turn', which resumes the session), against
// the bare CLI's cold first block, all in the same run; and the RSS of a warm idle `gemini --acp`.
// The second message is sent as soon as the first turn ends (the warm process started beside it).
// Last line: {"bench":"gemini-warm-turn","ratio":<warm second turn first block / bare cold first block>, ...}
import { readdirSync, readFileSync } from 'node:fs';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { startModelServer } from '@agent-runtime/testkit';
import { bareGemini as bareGeminiTurn, median } from './lib/bare-cli.mjs';
import { startBenchEngine, timedTurn } from './lib/bench-engine.mjs';

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
  const architecture = createGeminiArchitecture({ processMode: mode, env: { GEMINI_API_KEY: 'bench', GOOGLE_GEMINI_BASE_URL: server.url }, model: MODEL });
  const engine = await startBenchEngine(architecture);
  const { manager } = engine;
  const turn = (sessionId, content) => timedTurn(manager, sessionId, content);
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
  await engine.close();
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
