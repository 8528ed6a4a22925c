// The agent CLIs run bare (spawned on the host, cold, no runtime): the baseline of turn-overhead
// and warm-turn. Each call returns { first, end } in ms from the start to the first assistant
// block and to the end of the run.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { geminiCliArgs, geminiCliEntryPath, geminiCliEnv, geminiSettings } from '@agent-runtime/agent-gemini';
import { bareClaudeTurn } from './bare-claude.mjs';

export const median = (values) => {
  const sorted = [...values].filter((value) => value !== undefined).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

/** Claude Code through the SDK's `query()` (`bare-claude.mjs`), a fresh home and workspace, the model at `server`. */
export const bareClaude = (server, { prompt = 'please write the file' } = {}) => bareClaudeTurn(server, prompt);

/** Gemini CLI with `-o stream-json`, a fresh home and workspace, the model at `server`. */
export function bareGemini(server, { prompt = 'please write the file', model = 'gemini-2.5-flash' } = {}) {
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
    const child = spawn(process.execPath, [geminiCliEntryPath(), ...geminiCliArgs({ prompt, model, sessionId: randomUUID() })], {
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

/** The bare CLI of an architecture type. */
export const bareCli = (type, server, options) => (type === 'claude-agent-sdk' ? bareClaude(server, options) : bareGemini(server, options));

/**
 * RSS (kB) of each process tree whose root's command line matches `isRoot(argv)` (a process and
 * all its descendants, e.g. the Claude binary and what it spawned).
 */
export function processTreesRssKb(isRoot) {
  const procs = new Map();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      procs.set(Number(pid), { ppid, rss, argv });
    } catch {
      // gone
    }
  }
  const children = new Map();
  for (const [pid, proc] of procs) children.set(proc.ppid, [...(children.get(proc.ppid) ?? []), pid]);
  const total = (pid) => procs.get(pid).rss + (children.get(pid) ?? []).reduce((sum, child) => sum + total(child), 0);
  const roots = [...procs.entries()].filter(([pid, proc]) => isRoot(proc.argv, pid)).map(([pid]) => pid);
  // A root inside another root's tree is counted with that one.
  const inTree = (pid, root) => (pid === root ? true : procs.has(pid) && pid !== 1 && inTree(procs.get(pid).ppid, root));
  return roots.filter((pid) => !roots.some((other) => other !== pid && inTree(procs.get(pid).ppid, other))).map(total);
}

/**
 * Matches the warm CLI process of an architecture — the Claude binary, or `gemini --acp` — whose
 * working directory is under `dataDir` (this run's sandboxes; not another run's CLIs).
 */
export function warmCliMatcher(type, claudeExecutable, dataDir) {
  const entry = type === 'claude-agent-sdk' ? undefined : geminiCliEntryPath();
  const isCli = entry === undefined ? (argv) => argv[0] === claudeExecutable : (argv) => argv.includes(entry) && argv.includes('--acp');
  return (argv, pid) => {
    if (!isCli(argv)) return false;
    try {
      return readlinkSync(`/proc/${pid}/cwd`).startsWith(dataDir);
    } catch {
      return false;
    }
  };
}
