/**
 * Issue 15 item 5: while a session waits for the Modal image build, its `session:status` events
 * carry the build's progress as `message`. The real engine and the Modal driver against the fake
 * Modal server with a slow image build.
 */
import type { AgentProfile } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createModalSandboxProvider } from '@agent-runtime/sandbox-modal';
import { startFakeModalHarness, type FakeModalHarness } from '@agent-runtime/sandbox-modal/test';
import { SessionManager, type BusEvent } from '@agent-runtime/session-engine';
import { createScriptedArchitecture } from '@agent-runtime/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';

const profile: AgentProfile = { id: 'helper', name: 'Helper' };
let harness: FakeModalHarness;

beforeAll(async () => {
  harness = await startFakeModalHarness({ imageBuilds: { durationMs: 1_500 } });
});
afterAll(async () => harness?.close());

it('a session waiting for a slow image build reports its progress in session:status messages, then becomes active', async () => {
  const sandboxProvider = createModalSandboxProvider({
    client: harness.modal,
    appName: 'agent-runtime-progress',
    deployment: `progress-${process.pid}`,
    imageProgressIntervalMs: 300,
    allowLocalhostModelUrls: true,
  });
  const architecture = createScriptedArchitecture(async function* () {
    yield { type: 'turn:end', outcome: 'completed' };
  });
  const manager = new SessionManager({
    persistence: createMemoryPersistence({ profiles: [profile] }),
    sandboxProvider,
    architectures: [architecture],
    idleTimeoutMs: 60_000,
    syncIntervalMs: 60_000,
  });
  const events: BusEvent[] = [];
  manager.events.subscribe((event) => events.push(event));
  await manager.start();
  try {
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'hi' });
    const started = Date.now();
    while (!events.some((event) => event.event === 'session:turn:end')) {
      if (Date.now() - started > 30_000) throw new Error('no turn end');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const statuses = events.filter((event) => event.event === 'session:status').map((event) => event.data as { status: string; message?: string });
    const building = statuses.filter((status) => status.status === 'building-sandbox');
    const messages = building.flatMap((status) => (status.message === undefined ? [] : [status.message]));
    expect(messages[0]).toMatch(/^preparing image node:20-bookworm-slim \+ agent CLI layers$/);
    expect(messages.filter((message) => /^still building image .* \(\d+ s\)$/.test(message)).length).toBeGreaterThanOrEqual(2);
    expect(messages.slice(-3)).toEqual([expect.stringMatching(/^image .* ready \(im-/), 'scheduling the sandbox on Modal', 'preparing the sandbox']);
    // The status itself moved on only once the sandbox was ready; no message after that.
    expect(statuses.at(-1)).toEqual({ sessionId, status: 'active' });
    expect(statuses.findIndex((status) => status.status === 'active')).toBeGreaterThan(statuses.findLastIndex((status) => status.message !== undefined));
  } finally {
    await manager.stop();
  }
}, 60_000);
