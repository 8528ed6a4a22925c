/**
 * Issue 15 item 1, end to end: the REAL Claude Code runs a turn in a Modal sandbox (the real SDK
 * against the fake, whose command router answers UNAVAILABLE once the sandbox is gone — the SDK
 * retries that forever). The model's reply stalls mid-stream; Modal evicts the sandbox. The
 * session engine must end the turn within seconds with SANDBOX_TERMINATED, not hang.
 */
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import type { AgentProfile } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createModalSandboxProvider } from '@agent-runtime/sandbox-modal';
import { startFakeModalHarness, type FakeModalHarness } from '@agent-runtime/sandbox-modal/test';
import { SessionManager, type BusEvent } from '@agent-runtime/session-engine';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const profile: AgentProfile = { id: 'helper', name: 'Helper' };
let server: ModelServer;
let harness: FakeModalHarness;

beforeAll(async () => {
  server = await startModelServer({ turns: [{ reply: { text: ['Working on it', ' and more'], stallAfterEvents: 3 } }] });
  harness = await startFakeModalHarness({ routerUnavailableAfterFinish: true });
});
afterAll(async () => {
  await harness?.close();
  await server?.close();
});

let seen: BusEvent[] = [];
async function until<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(seen.slice(-6).map((event) => [event.event, event.data])).slice(0, 3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('a sandbox evicted under a running Claude turn ends the turn with SANDBOX_TERMINATED within seconds', async () => {
  const sandboxProvider = createModalSandboxProvider({
    client: harness.modal,
    appName: 'agent-runtime-dead-sandbox',
    deployment: `dead-${process.pid}`,
    allowLocalhostModelUrls: true,
  });
  const manager = new SessionManager({
    persistence: createMemoryPersistence({ profiles: [profile] }),
    sandboxProvider,
    architectures: [createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' } })],
    idleTimeoutMs: 600_000,
    syncIntervalMs: 60_000,
  });
  const events: BusEvent[] = [];
  seen = events;
  manager.events.subscribe((event) => events.push(event));
  await manager.start();
  try {
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'Start a long task' });
    // The CLI started and asked the model, whose reply is stuck mid-stream: its exec runs in the sandbox.
    await until(() => events.find((event) => event.event === 'session:block:complete'), "the CLI's echo of the user message", 60_000);
    await until(() => (server.requests.length > 0 ? true : undefined), 'the model request', 30_000);
    const sandboxId = [...harness.fake.state.sandboxes].find(([, candidate]) => candidate.tags['agent-runtime.session'] === sessionId && candidate.status === 'running')?.[0];
    expect(sandboxId).toBeDefined();
    const evictedAt = Date.now();
    harness.fake.evict(sandboxId!);
    const end = await until(() => events.find((event) => event.event === 'session:turn:end'), 'the turn end', 30_000);
    const tookMs = Date.now() - evictedAt;
    expect(end.data).toMatchObject({ outcome: 'error', error: { code: 'SANDBOX_TERMINATED' } });
    // The default stateCheckIntervalMs is 2 s: a few seconds, not the SDK's forever.
    expect(tookMs).toBeLessThan(15_000);
    expect(events.filter((event) => event.event === 'session:turn:end')).toHaveLength(1);
    console.log(`turn ended ${tookMs} ms after the eviction (loaded machine)`);
  } finally {
    await manager.stop();
  }
}, 180_000);
