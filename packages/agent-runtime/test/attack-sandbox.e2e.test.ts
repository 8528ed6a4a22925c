import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';
import { type ModelServer, type RecordedRequest, type Scenario, startModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRuntime, type AgentArchitectureType } from '../src/index.js';

/**
 * Issue 12's attack suite at runtime level: a real runtime, real bubblewrap sandboxes and the
 * real Claude Code and Gemini CLIs, whose scripted model makes them run attack commands with
 * their shell tools. The model server runs on the host's loopback: the agents reach it only
 * through their sandbox's egress proxy, which adds the real keys.
 */
const KEYS = { claude: `sk-ant-api03-REAL-${process.pid}-claude-key-never-inside`, gemini: `AIzaREAL-${process.pid}-gemini-key-never-inside` };
const split = (key: string) => [key.slice(0, 12), key.slice(12)] as const;

function attackScript(runtimePort: number, listenerPort: number): string {
  const probe = (label: string, port: number) =>
    `node -e "const s=require('net').connect(${port},'127.0.0.1');s.setTimeout(5000);s.on('connect',()=>{console.log('${label} CONNECTED');process.exit(0)});s.on('timeout',()=>{console.log('${label} TIMEOUT');process.exit(0)});s.on('error',e=>{console.log('${label} ERROR '+e.code);process.exit(0)})"`;
  const [claudeHead, claudeTail] = split(KEYS.claude);
  const [geminiHead, geminiTail] = split(KEYS.gemini);
  return [
    'echo "UID $(id -u)"',
    probe('RUNTIME', runtimePort),
    probe('POSTGRES', 5432),
    probe('LISTENER', listenerPort),
    'if (echo "|/tmp/x" > /proc/sys/kernel/core_pattern) 2>/dev/null; then echo "PROCSYS WRITTEN"; else echo "PROCSYS REFUSED"; fi',
    `a='${claudeHead}'; b='${claudeTail}'; c='${geminiHead}'; d='${geminiTail}'`,
    'echo "ENVKEYS $( (env; cat /proc/self/environ | tr "\\0" "\\n") | grep -c -e "$a$b" -e "$c$d")"',
    'echo "FILEKEYS $(grep -rl -e "$a$b" -e "$c$d" "$HOME" . /tmp 2>/dev/null | wc -l)"',
    'echo "REPORT-END"',
  ].join('\n');
}

const HOG_SCRIPT = [
  'bomb() { bomb | bomb & }; (bomb) 2>/dev/null; echo "BOMB DONE"',
  `python3 -c 'b = bytearray(2 * 1024 ** 3)' 2>/dev/null && echo "ALLOC OK" || echo "ALLOC REFUSED"`,
  'truncate -s 1500M big.bin && echo "SPARSE MADE"',
  'echo "HOG-END"',
].join('\n');

function scenario(): Scenario {
  return {
    turns: [
      { id: 'claude-attack', match: { api: 'anthropic', lastUserText: /run the attack/i }, reply: { toolCalls: [{ name: 'Bash', input: { command: 'sh attack.sh', description: 'attack' } }] }, times: 'always' },
      { id: 'gemini-attack', match: { api: 'gemini', lastUserText: /run the attack/i }, reply: { toolCalls: [{ name: 'run_shell_command', input: { command: 'sh attack.sh' } }] }, times: 'always' },
      { id: 'claude-hog', match: { api: 'anthropic', lastUserText: /run the hog/i }, reply: { toolCalls: [{ name: 'Bash', input: { command: 'sh hog.sh', description: 'hog', timeout: 120000 } }] }, times: 'always' },
      { id: 'done', match: { lastToolResult: true }, reply: { text: 'Done.' }, times: 'always' },
      { id: 'hello', match: { lastUserText: /say hello/i }, reply: { text: 'Hello from the other session.' }, times: 'always' },
    ],
    fallback: { text: 'ok' },
  };
}

function report(requests: readonly RecordedRequest[], api: 'anthropic' | 'gemini', end: string): Map<string, string> {
  const output = requests.filter((request) => request.api === api).flatMap((request) => request.view?.toolResults ?? []).map((result) => result.output).find((text) => text.includes(end));
  expect(output, `${api} tool output with ${end}`).toBeDefined();
  const lines = new Map<string, string>();
  for (const line of (output as string).split('\n')) {
    // Gemini prefixes the first line with "Output: ".
    const match = /\b([A-Z][A-Z-]+) ?(.*)$/.exec(line.replace(/^Output:\s*/, '').trim());
    if (match?.[1]) lines.set(match[1], match[2] ?? '');
  }
  return lines;
}

describe('attack suite: sandboxed agents against the runtime (real bwrap, real CLIs)', () => {
  let server: ModelServer;
  let dataDir: string;
  let runtime: AgentRuntime;
  let listener: ReturnType<typeof createServer>;
  let listenerPort = 0;
  let persistence: ReturnType<typeof createSqlitePersistence>;

  beforeAll(async () => {
    server = await startModelServer(scenario());
    dataDir = mkdtempSync(join(tmpdir(), 'runtime-attack-'));
    listener = createServer((socket) => socket.end('loopback-secret\n'));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listenerPort = (listener.address() as { port: number }).port;
    persistence = createSqlitePersistence({ filename: join(dataDir, 'runtime.db') });
    runtime = new AgentRuntime({
      persistence,
      dataDir,
      websocketPort: 0,
      host: '127.0.0.1',
      logLevel: 'error',
      localSandbox: { defaultLimits: { maxProcesses: 256, maxFileSizeMiB: 2048 } },
      architectures: [
        createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: KEYS.claude, CLAUDE_CODE_MAX_RETRIES: '0' }, model: 'claude-sonnet-4-5' }),
        createGeminiArchitecture({ env: { GEMINI_API_KEY: KEYS.gemini, GOOGLE_GEMINI_BASE_URL: server.url }, model: 'gemini-2.5-flash' }),
      ],
    });
    await runtime.start();
    const runtimePort = Number(new URL(runtime.url as string).port);
    await persistence.seedProfiles([
      { id: 'attacker', name: 'Attacker', defaultWorkspaceFiles: [{ path: 'attack.sh', content: attackScript(runtimePort, listenerPort) }] },
      { id: 'hog', name: 'Hog', defaultWorkspaceFiles: [{ path: 'hog.sh', content: HOG_SCRIPT }] },
      { id: 'plain', name: 'Plain' },
    ]);
  });

  afterAll(async () => {
    await runtime?.stop();
    await server?.close();
    listener?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Creates a session, sends one message and resolves with the turn's outcome once it ended. */
  async function turn(architecture: AgentArchitectureType, profile: string, text: string): Promise<{ sessionId: string; outcome: string; ms: number }> {
    const started = performance.now();
    const { sessionId } = await runtime.sessions.createSession({ agentProfileRef: profile, architecture });
    const ended = new Promise<string>((resolve) => {
      const unsubscribe = runtime.sessions.events.subscribe((event) => {
        const data = event.data as { sessionId?: string; outcome?: string };
        if (event.event === 'session:turn:end' && data.sessionId === sessionId) {
          unsubscribe();
          resolve(data.outcome ?? 'unknown');
        }
      });
    });
    await runtime.sessions.sendMessage(sessionId, { content: text });
    const outcome = await ended;
    return { sessionId, outcome, ms: Math.round(performance.now() - started) };
  }

  const agents: [AgentArchitectureType, 'anthropic' | 'gemini', string][] = [
    ['claude-agent-sdk', 'anthropic', KEYS.claude],
    ['gemini-cli', 'gemini', KEYS.gemini],
  ];

  it.each(agents)('%s: not root, /proc/sys refused, no loopback, no key inside; its model requests work through the proxy with the real key', async (architecture, api, key) => {
    server.reset();
    expect((await turn(architecture, 'attacker', 'Please run the attack.')).outcome).toBe('completed');
    const lines = report(server.requests, api, 'REPORT-END');
    console.log(`${architecture}: ${JSON.stringify(Object.fromEntries(lines))}`);
    expect(Number(lines.get('UID'))).toBeGreaterThan(0);
    expect(lines.get('PROCSYS')).toBe('REFUSED');
    for (const target of ['RUNTIME', 'POSTGRES', 'LISTENER']) expect(lines.get(target), target).toMatch(/^ERROR (ECONNREFUSED|ENETUNREACH)/);
    expect(lines.get('ENVKEYS')).toBe('0');
    expect(lines.get('FILEKEYS')).toBe('0');
    // The model requests reached the (loopback) model server only through the proxy, with the real key.
    const generations = server.generationRequests(api);
    expect(generations.length).toBeGreaterThanOrEqual(2);
    for (const request of generations) {
      const sent = api === 'anthropic' ? request.headers['x-api-key'] : request.headers['x-goog-api-key'];
      expect(sent).toBe(key);
    }
    expect(generations.at(-1)?.response.text).toBe('Done.');
  });

  it('a fork bomb, a 2 GB allocation and a 1.5 GB sparse file in one sandbox leave /health answering and another session completing its turn', async () => {
    server.reset();
    const health: number[] = [];
    let hogDone = false;
    const hog = turn('claude-agent-sdk', 'hog', 'Please run the hog.').finally(() => (hogDone = true));
    // Probe /health for as long as the hog's turn runs (each probe waits for the previous answer).
    const probing = (async () => {
      while (!hogDone) {
        const started = performance.now();
        const response = await fetch(`${runtime.url}/health`);
        expect(response.status).toBe(200);
        await response.text();
        health.push(Math.round(performance.now() - started));
      }
    })();
    const other = await turn('gemini-cli', 'plain', 'Please say hello.');
    const hogResult = await hog;
    await probing;
    const lines = report(server.requests, 'anthropic', 'HOG-END');
    const sorted = [...health].sort((a, b) => a - b);
    console.log(
      `resource attack: hog turn ${hogResult.outcome} in ${hogResult.ms} ms (${JSON.stringify(Object.fromEntries(lines))}); ` +
        `other session's turn ${other.outcome} in ${other.ms} ms; /health answered ${health.length} times, ` +
        `median ${sorted[Math.floor(sorted.length / 2)]} ms, max ${sorted.at(-1)} ms; runtime RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB`,
    );
    expect(other.outcome).toBe('completed');
    expect(server.generationRequests('gemini').at(-1)?.response.text).toBe('Hello from the other session.');
    expect(health.length).toBeGreaterThan(0);
    expect(lines.get('BOMB')).toBe('DONE');
    expect(lines.get('ALLOC')).toBe('REFUSED');
    expect(lines.get('SPARSE')).toBe('MADE');
    // The sparse file was never read into the runtime: at most its empty first state (truncate
    // creates it empty, then extends it) was mirrored, and the runtime's memory stayed small.
    const saved = await persistence.loadSession(hogResult.sessionId);
    const big = saved?.workspaceFiles.find((file) => file.path === 'big.bin');
    expect(big?.content.length ?? 0).toBeLessThan(1024);
    expect(process.memoryUsage().rss).toBeLessThan(1500 * 2 ** 20);
  });
});
