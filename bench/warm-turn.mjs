// Claude Code kept warm between turns (issue 16, item 1): message -> first block of a session's
// SECOND turn through the session engine, with one CLI process per session ('warm') and with a
// fresh CLI per turn ('per-turn', which resumes the session), against the bare CLI's cold first
// block, all in the same run; and the RSS of a warm idle Claude process (its process tree).
// Last line: {"bench":"warm-turn","warmTurnRatio":<warm second turn first block / bare cold first block>, ...}
import { readdirSync, readFileSync } from 'node:fs';
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { startModelServer } from '@agent-runtime/testkit';
import { bareClaudeTurn } from './lib/bare-claude.mjs';
import { startBenchEngine } from './lib/bench-engine.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const scenario = { turns: [{ match: {}, reply: { text: ['Hello ', 'there.'] }, times: 'always' }] };
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** RSS (kB) of every process running the Claude binary, with its descendants. */
function claudeTreesRssKb(executable) {
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0];
      procs.set(Number(pid), { ppid, rss, cmd });
    } catch {
      // gone
    }
  }
  const roots = [...procs.entries()].filter(([, proc]) => proc.cmd === executable).map(([pid]) => pid);
  const total = (pid) => procs.get(pid).rss + [...procs.entries()].filter(([, proc]) => proc.ppid === pid).reduce((sum, [child]) => sum + total(child), 0);
  return roots.map(total);
}

async function secondTurns(mode, server) {
  const architecture = createClaudeArchitecture({ processMode: mode, env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-bench' }, model: 'claude-sonnet-4-5' });
  const engine = await startBenchEngine(architecture);
  const { manager } = engine;
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
  const rss = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { sessionId } = await manager.createSession({ agentProfileRef: 'bench', architecture: 'claude-agent-sdk' });
    const one = await turn(sessionId, 'hello');
    const two = await turn(sessionId, 'hello again');
    if (one.outcome !== 'completed' || two.outcome !== 'completed') throw new Error(`${mode}: turns ended ${one.outcome}/${two.outcome}`);
    firsts.push(two.first);
    if (mode === 'warm') rss.push(...claudeTreesRssKb(architecture.sandboxReadOnlyPaths()[0] + '/claude'));
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
