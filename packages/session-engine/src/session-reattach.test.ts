import { describe, expect, it } from 'vitest';
import type { AgentProfile, BusEvent, ConversationBlock } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture, type FakeSandbox, type ScriptedTurn } from '@agent-runtime/testkit';
import type { Clock } from './clock.js';
import { MemorySessionEventLog } from './durability/memory-session-event-log.js';
import { MemoryTurnQueueStore } from './durability/memory-turn-queue-store.js';
import { RESTORE_COMPLETE_MARKER } from './session-sandbox.js';
import type { CoordinatedEngine, SessionCoordinator } from './session-coordinator.js';
import { SessionManager } from './session-manager.js';

// Cluster failover onto a sandbox the lost node left running (`adopt(…, { liveSandbox })`): node A
// is a first manager that is never stopped (it "died" mid-turn); node B is a second one over the
// same storage and sandbox provider, with a coordinator stub that runs every command locally.

const profile: AgentProfile = { id: 'helper', name: 'Helper' };
const text = (id: string, content: string): ConversationBlock => ({ id, timestamp: '2026-01-01T00:00:00.000Z', type: 'assistant_text', content });

const echo: ScriptedTurn = async function* (context) {
  const id = `reply-${context.turnId}`;
  yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
  yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, `echo: ${String(context.message)}`) };
};
const hangs: ScriptedTurn = async function* (context) {
  yield { type: 'block:start', conversationId: 'main', block: text(`partial-${context.turnId}`, '') };
  await new Promise(() => undefined);
};
const instantClock: Clock = { now: () => Date.now(), setTimeout: (callback) => setImmediate(callback), clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate) };

function twoNodes() {
  const persistence = createMemoryPersistence({ profiles: [profile] });
  const shared = { persistence, eventLog: new MemorySessionEventLog(), turnQueueStore: new MemoryTurnQueueStore(), sandboxProvider: createFakeSandboxProvider(), idleTimeoutMs: 600_000, syncIntervalMs: 600_000, clock: instantClock };
  const a = new SessionManager({ ...shared, architectures: [createScriptedArchitecture(hangs)] });
  let engine: CoordinatedEngine | undefined;
  // Asserted, not annotated: newer coordinators also have `whileOwner` (turn ends stored under the lease).
  const coordinator = {
    start: async (coordinated) => void (engine = coordinated),
    route: async (command) => engine!.runLocally(command),
    created: async () => undefined,
    announced: () => undefined,
    owns: () => true,
    whileOwner: <T>(_sessionId: string, work: () => Promise<T>) => work(),
    stop: async () => undefined,
    sandboxLabels: { 'agent-runtime-node': 'node-b' },
  } as SessionCoordinator;
  const architectureB = createScriptedArchitecture(echo);
  const b = new SessionManager({ ...shared, architectures: [architectureB], coordinator });
  const events: BusEvent[] = [];
  b.events.subscribe((event) => events.push(event));
  return { a, b, engine: () => engine!, shared, architectureB, events };
}

/** A dies in the middle of `running` with `next` queued; the agent went on writing in its sandbox after the last sync. */
async function cutMidTurn(nodes: ReturnType<typeof twoNodes>) {
  await nodes.a.start();
  const { sessionId } = await nodes.a.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
  await nodes.a.sendMessage(sessionId, { content: 'running', clientMessageId: 'm1' });
  const sandbox = nodes.shared.sandboxProvider.sandboxes[0]!;
  while (sandbox.roots.home.get(RESTORE_COMPLETE_MARKER) === undefined || !(await nodes.shared.turnQueueStore.pending(sessionId)).some((turn) => turn.state === 'running')) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  await nodes.a.sendMessage(sessionId, { content: 'next', clientMessageId: 'm2' });
  // Straight into the sandbox's files: A's change feed does not hear of them (A is dead).
  const late = (content: string) => ({ bytes: new TextEncoder().encode(content), modifiedAt: Date.now() });
  sandbox.roots.workspace.set('late.txt', late('after the last sync'));
  sandbox.roots.home.set('transcript.json', late(JSON.stringify([{ id: 'u1', timestamp: '2026-01-01T00:00:00.000Z', type: 'user_message', content: 'running' }, text('late', 'written late')])));
  expect((await nodes.shared.persistence.loadSession(sessionId))?.workspaceFiles.map((file) => file.path)).not.toContain('late.txt');
  const calls: string[] = [];
  const live = Object.assign(sandbox, {
    stopLeftoverProcesses: async () => (calls.push('stopLeftoverProcesses'), 1),
    updateLabels: async (labels: Record<string, string>) => void calls.push(`updateLabels ${JSON.stringify(labels)}`),
  }) as FakeSandbox;
  return { sessionId, live, calls };
}

async function settle(events: BusEvent[], turnEnds: number): Promise<void> {
  while (events.filter((event) => event.event === 'session:turn:end').length < turnEnds) await new Promise((resolve) => setImmediate(resolve));
}

describe('adopt with the live sandbox of a lost node', () => {
  it('keeps using it: leftovers stopped, its files and transcript stored, relabelled, no restore, the queued turn runs in it', async () => {
    const nodes = twoNodes();
    const { sessionId, live, calls } = await cutMidTurn(nodes);
    await nodes.b.start();
    await nodes.engine().adopt(sessionId, { liveSandbox: live, lostNodeId: 'node-a' });
    await settle(nodes.events, 2);
    expect(calls).toEqual(['stopLeftoverProcesses', 'updateLabels {"agent-runtime-node":"node-b"}']);
    expect(nodes.shared.sandboxProvider.sandboxes).toHaveLength(1);
    expect(live.terminated).toBe(false);
    expect(nodes.architectureB.prepared).toEqual([]);
    const ends = nodes.events.filter((event) => event.event === 'session:turn:end').map((event) => (event.data as { outcome: string; error?: { code: string } }).error?.code ?? (event.data as { outcome: string }).outcome);
    expect(ends).toEqual(['NODE_LOST', 'completed']);
    const saved = await nodes.shared.persistence.loadSession(sessionId);
    expect(saved?.workspaceFiles.find((file) => file.path === 'late.txt')?.content).toBe('after the last sync');
    expect(saved?.rawTranscript).toContain('written late');
    const data = await nodes.b.getSession(sessionId);
    expect(data.status).toBe('active');
    expect(data.blocks.map((block) => (block.type === 'assistant_text' ? block.content : block.type))).toEqual(['user_message', 'written late', 'user_message', 'echo: next']);
    await nodes.b.stop();
  });

  it('a sandbox that never finished its restore is not reattached: saved from (nothing), terminated, and the turn gets a new sandbox', async () => {
    const nodes = twoNodes();
    const { sessionId, live, calls } = await cutMidTurn(nodes);
    live.roots.home.delete(RESTORE_COMPLETE_MARKER);
    await nodes.b.start();
    await nodes.engine().adopt(sessionId, { liveSandbox: live, lostNodeId: 'node-a' });
    await settle(nodes.events, 2);
    expect(calls).toEqual([]);
    expect(live.terminated).toBe(true);
    expect(nodes.shared.sandboxProvider.sandboxes).toHaveLength(2);
    expect(nodes.architectureB.prepared).toHaveLength(1);
    // A file missing from storage in a half-restored sandbox is not taken from it.
    expect((await nodes.shared.persistence.loadSession(sessionId))?.workspaceFiles.map((file) => file.path)).not.toContain('late.txt');
    await nodes.b.stop();
  });
});
