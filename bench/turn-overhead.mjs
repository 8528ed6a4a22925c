// What the runtime adds on top of the agent: time from sendMessage to the first block event and to
// the turn end, through the session engine (local bubblewrap sandbox, sync, events), against the
// same CLI run bare (plain spawn on the host) with the same scenario, in the same run. The engine's
// sandboxes have no network: every model request goes through the sandbox's egress proxy.
// Issue 16 adds, per agent: `warmTurnRatio` — sendMessage -> first block of the same session's
// SECOND turn (the agent's warm process, when it has one) / the bare CLI's cold first block — and
// `newSessionRatio` — sendMessage -> first block of a NEW session's first turn, created while the
// warm pool held a ready sandbox (for Claude with a parked CLI), the message sent as soon as the
// create returned / the bare cold first block; the JSON holds the worse agent of each. Also the RSS
// of a warm idle agent process tree (after its second turn). Gemini runs in the mode agent-gemini
// offers: `processMode: 'warm'` (gemini --acp) where it supports it, else stream-json per turn
// (`BENCH_GEMINI_PROCESS=per-turn` forces that). Printed as `gemini.processMode`.
// Last line: {"bench":"turn-overhead","ratio":<worst turn-end ratio>,"warmTurnRatio":..,"newSessionRatio":.., ...}
import { claudeCodeExecutablePath, createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { startModelServer } from '@agent-runtime/testkit';
import { bareCli, median, processTreesRssKb, warmCliMatcher } from './lib/bare-cli.mjs';
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

const GEMINI_PROCESS = process.env.BENCH_GEMINI_PROCESS ?? 'warm';

function makeArchitecture(type, server) {
  return type === 'claude-agent-sdk'
    ? createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-bench' }, model: 'claude-sonnet-4-5' })
    : // agent-gemini without a warm mode ignores `processMode` (and reports none): stream-json per turn.
      createGeminiArchitecture({ env: { GEMINI_API_KEY: 'bench', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'gemini-2.5-flash', processMode: GEMINI_PROCESS });
}

async function startEngine(type, server, warmPool) {
  const architecture = makeArchitecture(type, server);
  const engine = await startBenchEngine(architecture, { warmPool });
  return { manager: engine.manager, architecture, dataDir: engine.dataDir, stop: engine.close };
}

/** sendMessage -> first non-user block and -> turn end. */
function timedTurn(manager, sessionId, content = 'please write the file') {
  return new Promise((resolve, reject) => {
    let first;
    let started;
    const off = manager.events.subscribe((event) => {
      if (event.sessionId !== sessionId) return;
      if (first === undefined && event.event.startsWith('session:block:') && !JSON.stringify(event.data).includes('"user_message"')) {
        first = performance.now() - started;
      }
      if (event.event === 'session:turn:end') {
        off();
        if (event.data.outcome !== 'completed') reject(new Error(`engine turn ended ${event.data.outcome}`));
        else resolve({ first, end: performance.now() - started });
      }
    });
    started = performance.now();
    manager.sendMessage(sessionId, { content }).catch(reject);
  });
}

const until = async (check) => {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 20));
};

/** One session as today: created, its sandbox ready, a cold first turn, then its second turn; the RSS of its idle warm process. */
async function sessionRound(type, server) {
  const { manager, architecture, stop, dataDir } = await startEngine(type, server, false);
  const { sessionId } = await manager.createSession({ agentProfileRef: 'bench', architecture: type });
  await until(() => manager.listSessions().find((session) => session.sessionId === sessionId)?.status === 'active');
  const cold = await timedTurn(manager, sessionId);
  const second = await timedTurn(manager, sessionId);
  const rssKb = architecture.processMode === 'warm' ? processTreesRssKb(warmCliMatcher(type, claudeCodeExecutablePath(), dataDir)) : [];
  await manager.terminateSession(sessionId);
  await stop();
  return { cold, second, rssKb };
}

/** True once the session's agent is warm: its warm process is up (or, without warm processes, its sandbox is). */
function warmed(manager, architecture, sessionId) {
  const processes = architecture.warmProcesses?.() ?? [];
  if (architecture.processMode !== 'warm') return manager.listSessions().find((session) => session.sessionId === sessionId)?.status === 'active';
  const process = processes.find((candidate) => candidate.sessionId === sessionId);
  // A Gemini session with no file yet is as warm as it gets once its process is initialised (it
  // loads the session after the first turn, which runs stream-json).
  return process !== undefined && (process.ready !== false || (process.initialized === true && process.turns === 0));
}

/**
 * New sessions taken from the warm pool: the message sent as soon as the create returned
 * (`first`), and, in as many more rounds, once the session finished warming (`warmedFirst`: the
 * create came ahead of the message, e.g. when the user opened the chat).
 */
async function pooledRounds(type, server, rounds) {
  const { manager, architecture, stop, dataDir } = await startEngine(type, server, true);
  const results = [];
  for (let round = 0; round < 2 * rounds; round++) {
    await until(() => manager.warmPoolStats()[0]?.ready === 1);
    // A parked spare CLI in the pooled sandbox (Claude), before any session takes it.
    const spareRssKb = processTreesRssKb(warmCliMatcher(type, claudeCodeExecutablePath(), dataDir));
    const created = performance.now();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'bench', architecture: type });
    const createMs = performance.now() - created;
    const early = round >= rounds;
    let warmMs;
    if (early) {
      await until(() => warmed(manager, architecture, sessionId));
      warmMs = performance.now() - created;
    }
    const turn = await timedTurn(manager, sessionId);
    results.push({ ...turn, createMs, early, warmMs, spareRssKb });
    await manager.terminateSession(sessionId);
  }
  await stop();
  return results;
}

const round3 = (value) => Number(value.toFixed(3));

async function measure(type) {
  const claude = type === 'claude-agent-sdk';
  const server = await startModelServer(scenario(claude));
  const bare = [];
  const sessions = [];
  // Warm the page cache for the CLI binaries once.
  await bareCli(type, server);
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await bareCli(type, server));
    sessions.push(await sessionRound(type, server));
  }
  const pooledAll = await pooledRounds(type, server, ROUNDS);
  const pooled = pooledAll.filter((result) => !result.early);
  const pooledEarly = pooledAll.filter((result) => result.early);
  await server.close();
  const processMode = makeArchitecture(type, server).processMode ?? 'per-turn';
  const rss = sessions.flatMap((session) => session.rssKb);
  const spareRss = pooledAll.flatMap((result) => result.spareRssKb);
  const summary = {
    processMode,
    bareFirstMs: Math.round(median(bare.map((r) => r.first))),
    bareEndMs: Math.round(median(bare.map((r) => r.end))),
    engineFirstMs: Math.round(median(sessions.map((r) => r.cold.first))),
    engineEndMs: Math.round(median(sessions.map((r) => r.cold.end))),
    secondTurnFirstMs: Math.round(median(sessions.map((r) => r.second.first))),
    newSessionFirstMs: Math.round(median(pooled.map((r) => r.first))),
    newSessionCreateMs: Math.round(median(pooled.map((r) => r.createMs))),
    newSessionWarmedFirstMs: Math.round(median(pooledEarly.map((r) => r.first))),
    newSessionWarmUpMs: Math.round(median(pooledEarly.map((r) => r.warmMs))),
    warmIdleRssMiB: rss.length ? Math.round(median(rss) / 1024) : undefined,
    parkedSpareRssMiB: spareRss.length ? Math.round(median(spareRss) / 1024) : undefined,
  };
  summary.firstBlockRatio = round3(summary.engineFirstMs / summary.bareFirstMs);
  summary.turnEndRatio = round3(summary.engineEndMs / summary.bareEndMs);
  summary.warmTurnRatio = round3(summary.secondTurnFirstMs / summary.bareFirstMs);
  summary.newSessionRatio = round3(summary.newSessionFirstMs / summary.bareFirstMs);
  summary.newSessionWarmedRatio = round3(summary.newSessionWarmedFirstMs / summary.bareFirstMs);
  summary.samples = { bareFirst: bare.map((r) => Math.round(r.first)), secondFirst: sessions.map((r) => Math.round(r.second.first)), newSessionFirst: pooled.map((r) => Math.round(r.first)), newSessionWarmedFirst: pooledEarly.map((r) => Math.round(r.first)), rssKb: rss };
  console.log(
    `${type} (${processMode}): bare first ${summary.bareFirstMs} ms / end ${summary.bareEndMs} ms; engine first ${summary.engineFirstMs} ms / end ${summary.engineEndMs} ms; ratios ${summary.firstBlockRatio} / ${summary.turnEndRatio}; ` +
      `second turn first ${summary.secondTurnFirstMs} ms (warmTurnRatio ${summary.warmTurnRatio}); pooled new session first ${summary.newSessionFirstMs} ms, create ${summary.newSessionCreateMs} ms (newSessionRatio ${summary.newSessionRatio}); after the warm-up (${summary.newSessionWarmUpMs} ms from create) ${summary.newSessionWarmedFirstMs} ms (${summary.newSessionWarmedRatio}); warm idle RSS ${summary.warmIdleRssMiB ?? '-'} MiB, parked spare ${summary.parkedSpareRssMiB ?? '-'} MiB`,
  );
  return summary;
}

const claude = await measure('claude-agent-sdk');
const gemini = await measure('gemini-cli');
console.log(
  JSON.stringify({
    bench: 'turn-overhead',
    ratio: Math.max(claude.turnEndRatio, gemini.turnEndRatio),
    warmTurnRatio: Math.max(claude.warmTurnRatio, gemini.warmTurnRatio),
    newSessionRatio: Math.max(claude.newSessionRatio, gemini.newSessionRatio),
    rounds: ROUNDS,
    claude,
    gemini,
  }),
);
