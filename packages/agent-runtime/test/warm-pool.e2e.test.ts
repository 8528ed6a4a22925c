/**
 * The warm pool end to end: the REAL Claude Code CLI in local bubblewrap sandboxes, against the
 * scripted model server. A session created while the pool holds a spare takes it (its id is the
 * one the spare was created for), its first turn runs in the spare's parked CLI, and its
 * transcript resumes later in a new sandbox after a runtime restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClaudeArchitecture, type ClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRuntime, type BusEvent } from '../src/index.js';

let server: ModelServer;
const dataDir = mkdtempSync(join(tmpdir(), 'warm-pool-e2e-'));
const persistence = createMemoryPersistence({ profiles: [{ id: 'helper', name: 'Helper', systemPrompt: 'POOLED-PROFILE' }] });
const runtimes: AgentRuntime[] = [];

beforeAll(async () => {
  server = await startModelServer({ turns: [
    { match: { lastUserText: 'favourite colour' }, reply: { text: 'Noted: amber.' } },
    { match: { lastUserText: 'what colour' }, reply: { text: 'You said amber.' } },
  ] });
});
afterAll(async () => {
  for (const runtime of runtimes) await runtime.stop().catch(() => undefined);
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function startRuntime(warmPool?: { sandboxes: number }) {
  const claude = createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-test', CLAUDE_CODE_MAX_RETRIES: '0' }, model: 'claude-sonnet-4-5' });
  const runtime = new AgentRuntime({ persistence, dataDir, websocketPort: 0, host: '127.0.0.1', logLevel: 'error', architectures: [claude], ...(warmPool ? { warmPool } : {}) });
  runtimes.push(runtime);
  return { runtime, claude };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runTurn(runtime: AgentRuntime, sessionId: string, content: string) {
  const events: BusEvent[] = [];
  const off = runtime.sessions.events.subscribe((event) => event.sessionId === sessionId && events.push(event));
  await runtime.sessions.sendMessage(sessionId, { content });
  await until(() => events.some((event) => event.event === 'session:turn:end'), 120_000);
  off();
  return events.find((event) => event.event === 'session:turn:end')!;
}

const post = (runtime: AgentRuntime, path: string, body: unknown) =>
  fetch(`${runtime.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(
    async (response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> }),
  );

describe('warm pool (real Claude Code)', () => {
  it('a pooled session runs its first turn in the parked CLI; its transcript resumes after a restart in a new sandbox', async () => {
    const { runtime, claude } = startRuntime({ sandboxes: 1 });
    await runtime.start();
    await until(() => runtime.sessions.warmPoolStats()[0]?.ready === 1);
    const [spare] = await runtime.sandbox.list!({});
    expect(spare).toBeDefined();

    const created = await post(runtime, '/sessions/create', { agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(created.status).toBe(200);
    const sessionId = created.body.sessionId as string;
    expect(sessionId).toBe(spare!.sessionId);
    await until(() => (claude as ClaudeArchitecture).warmProcesses().some((process) => process.sessionId === sessionId && process.ready));
    expect(claude.warmProcesses().find((process) => process.sessionId === sessionId)).toMatchObject({ fromSpare: true, turns: 0 });

    const first = await runTurn(runtime, sessionId, 'My favourite colour is amber.');
    expect(first.data).toMatchObject({ outcome: 'completed' });
    expect(JSON.stringify(server.generationRequests('anthropic').at(-1)!.body)).toContain('POOLED-PROFILE');

    // The pool refilled with another sandbox, for another session id: a sandbox serves one session.
    await until(() => runtime.sessions.warmPoolStats()[0]?.ready === 1);
    const sandboxes = await runtime.sandbox.list!({});
    expect(new Set(sandboxes.map((sandbox) => sandbox.sessionId)).size).toBe(sandboxes.length);
    expect(sandboxes.filter((sandbox) => sandbox.sessionId === sessionId)).toHaveLength(1);

    await runtime.stop();
    const restarted = startRuntime().runtime;
    await restarted.start();
    const second = await runTurn(restarted, sessionId, 'what colour did I say?');
    expect(second.data).toMatchObject({ outcome: 'completed' });
    expect(JSON.stringify(server.generationRequests('anthropic').at(-1)!.body)).toContain('Noted: amber.');
    const blocks = (await restarted.sessions.getSession(sessionId)).blocks;
    expect(blocks.map((block) => block.type)).toEqual(['user_message', 'assistant_text', 'user_message', 'assistant_text']);
  }, 240_000);
});
