// Claude Code kept warm between turns (issue 16, item 1): message -> first block of a session's
// SECOND turn through the session engine, with one CLI process per session ('warm') and with a
// fresh CLI per turn ('per-turn', which resumes the session), against the bare CLI's cold first
// block, all in the same run; and the RSS of a warm idle Claude process (its process tree).
// Last line: {"bench":"warm-turn","warmTurnRatio":<warm second turn first block / bare cold first block>, ...}
import { claudeCodeExecutablePath, createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { startModelServer } from '@agent-runtime/testkit';
import { bareClaudeTurn } from './lib/bare-claude.mjs';
import { median, processTreesRssKb, warmCliMatcher } from './lib/bare-cli.mjs';
import { startBenchEngine, timedTurn } from './lib/bench-engine.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const scenario = { turns: [{ match: {}, reply: { text: ['Hello ', 'there.'] }, times: 'always' }] };

async function secondTurns(mode, server) {
  const architecture = createClaudeArchitecture({ processMode: mode, env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-bench' }, model: 'claude-sonnet-4-5' });
  const engine = await startBenchEngine(architecture);
  const { manager } = engine;
  const turn = (sessionId, content) => timedTurn(manager, sessionId, content);
  const firsts = [];
  const rss = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { sessionId } = await manager.createSession({ agentProfileRef: 'bench', architecture: 'claude-agent-sdk' });
    const one = await turn(sessionId, 'hello');
    const two = await turn(sessionId, 'hello again');
    if (one.outcome !== 'completed' || two.outcome !== 'completed') throw new Error(`${mode}: turns ended ${one.outcome}/${two.outcome}`);
    firsts.push(two.first);
    if (mode === 'warm') rss.push(...processTreesRssKb(warmCliMatcher('claude-agent-sdk', claudeCodeExecutablePath(), engine.dataDir)));
    await manager.terminateSession(sessionId);
  }
  await engine.close();
  return { firsts, rss };
}

const server = await startModelServer(scenario);
await bareClaudeTurn(server, 'hello'); // page cache
const bare = [];
for (let round = 0; round < ROUNDS; round++) bare.push((await bareClaudeTurn(server, 'hello')).first);
const perTurn = await secondTurns('per-turn', server);
const warm = await secondTurns('warm', server);
await server.close();
const summary = {
  bareColdFirstMs: Math.round(median(bare)),
  perTurnSecondFirstMs: Math.round(median(perTurn.firsts)),
  warmSecondFirstMs: Math.round(median(warm.firsts)),
  warmIdleRssMiB: warm.rss.length ? Math.round(median(warm.rss) / 1024) : undefined,
};
summary.warmTurnRatio = Number((summary.warmSecondFirstMs / summary.bareColdFirstMs).toFixed(3));
summary.perTurnRatio = Number((summary.perTurnSecondFirstMs / summary.bareColdFirstMs).toFixed(3));
console.log(
  `claude-agent-sdk: bare cold first block ${summary.bareColdFirstMs} ms; second turn first block per-turn ${summary.perTurnSecondFirstMs} ms, warm ${summary.warmSecondFirstMs} ms; warm idle RSS ${summary.warmIdleRssMiB} MiB`,
);
console.log(JSON.stringify({ bench: 'warm-turn', ratio: summary.warmTurnRatio, warmTurnRatio: summary.warmTurnRatio, rounds: ROUNDS, claude: { ...summary, samples: { bare, perTurn: perTurn.firsts, warm: warm.firsts, rssKb: warm.rss } } }));
