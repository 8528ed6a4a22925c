import { describe, expect, it } from 'vitest';
import type { AgentProfile, BusEvent, ConversationBlock, PersistenceAdapter, SandboxProvider } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture, type FakeSandboxProvider, type ScriptedTurn } from '@agent-runtime/testkit';
import type { Clock } from './clock.js';
import { MemorySessionEventLog } from './durability/memory-session-event-log.js';
import { MemoryTurnQueueStore } from './durability/memory-turn-queue-store.js';
import { RESTORE_COMPLETE_MARKER } from './session-sandbox.js';
import type { CoordinatedEngine, SessionCoordinator } from './session-coordinator.js';
import { SessionManager } from './session-manager.js';

// A "restart" here is a second SessionManager over the same storage: the persistence adapter,
// the event log and the turn queue (what a durable adapter keeps), and the same sandboxes (what a
// provider's `list()` finds after a crash). A "crash" is a first manager that is never stopped.

const profile: AgentProfile = { id: 'helper', name: 'Helper' };

function text(id: string, content: string): ConversationBlock {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', type: 'assistant_text', content };
}

const echo: ScriptedTurn = async function* (context) {
  const id = `reply-${context.turnId}`;
  yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
  yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: `echo: ${String(context.message)}` };
  yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, `echo: ${String(context.message)}`) };
};

/** Never finishes (the runtime "dies" during it). */
const hangs: ScriptedTurn = async function* (context) {
  yield { type: 'block:start', conversationId: 'main', block: text(`partial-${context.turnId}`, '') };
  await new Promise(() => undefined);
};

/** A fake provider that also lists and attaches its live sandboxes, like the real ones after a crash. */
function listingProvider(fake: FakeSandboxProvider): SandboxProvider {
  return Object.assign(fake, {
    list: async () =>
      fake.sandboxes.filter((sandbox) => !sandbox.terminated).map((sandbox) => ({ id: sandbox.id, sessionId: sandbox.sessionId, labels: {}, running: true })),
    attach: async (id: string) => fake.sandboxes.find((sandbox) => sandbox.id === id)!,
  });
}

/** Timers that fire on the next turn of the event loop (backoffs without waiting). */
const instantClock: Clock = { now: () => Date.now(), setTimeout: (callback) => setImmediate(callback), clearTimeout: (handle) => clearImmediate(handle as NodeJS.Immediate) };

function storage(persistence: PersistenceAdapter = createMemoryPersistence({ profiles: [profile] })) {
  return { persistence, eventLog: new MemorySessionEventLog(), turnQueueStore: new MemoryTurnQueueStore(), provider: listingProvider(createFakeSandboxProvider()) };
}

function runtime(stored: ReturnType<typeof storage>, script: ScriptedTurn) {
  const manager = new SessionManager({
    persistence: stored.persistence,
    sandboxProvider: stored.provider,
    architectures: [createScriptedArchitecture(script)],
    eventLog: stored.eventLog,
    turnQueueStore: stored.turnQueueStore,
    idleTimeoutMs: 600_000,
    syncIntervalMs: 600_000,
    clock: instantClock,
  });
  const events: BusEvent[] = [];
  manager.events.subscribe((event) => events.push(event));
  const waitFor = (predicate: () => boolean) =>
    new Promise<void>((resolve) => {
      const unsubscribe = manager.events.subscribe(() => {
        if (predicate()) {
          unsubscribe();
          resolve();
        }
      });
      if (predicate()) {
        unsubscribe();
        resolve();
      }
    });
  return { manager, events, waitFor };
}

const ofType = (events: BusEvent[], name: string) => events.filter((event) => event.event === name);

describe('restarts', () => {
  it('seq keeps rising across a restart; a join with since replays from the log', async () => {
    const stored = storage();
    const first = runtime(stored, echo);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await first.manager.sendMessage(sessionId, { content: 'one' });
    await first.waitFor(() => ofType(first.events, 'session:turn:end').length === 1);
    await first.manager.stop();
    const seen = first.events.filter((event) => event.sessionId === sessionId).map((event) => event.seq!);
    const last = seen.at(-1)!;

    const second = runtime(stored, echo);
    await second.manager.start();
    expect((await second.manager.getSession(sessionId)).lastEventSeq).toBe(last);
    await second.manager.sendMessage(sessionId, { content: 'two' });
    await second.waitFor(() => ofType(second.events, 'session:turn:end').length === 1);
    const after = second.events.filter((event) => event.sessionId === sessionId).map((event) => event.seq!);
    expect([...seen, ...after]).toEqual(Array.from({ length: seen.length + after.length }, (_, index) => index + 1));
    const replay = await second.manager.events.replay(sessionId, last - 2);
    expect(replay.kind === 'events' && replay.events.map((event) => event.seq)).toEqual([last - 1, last, ...after]);
    await second.manager.stop();
  });

  it('after a crash with one turn running and two queued: one RUNTIME_RESTARTED end, each queued message runs once, retries are acknowledged without running', async () => {
    const stored = storage();
    const first = runtime(stored, hangs);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await first.manager.sendMessage(sessionId, { content: 'running', clientMessageId: 'm1' });
    expect(await first.manager.sendMessage(sessionId, { content: 'queued a', clientMessageId: 'm2' })).toMatchObject({ queued: true });
    expect(await first.manager.sendMessage(sessionId, { content: 'queued b', clientMessageId: 'm3' })).toMatchObject({ queued: true });
    await first.waitFor(() => ofType(first.events, 'session:block:start').length >= 2);
    const crashedTurn = ofType(first.events, 'session:turn:start')[0]!.data as { turnId: string };
    const lastSeen = first.events.filter((event) => event.sessionId === sessionId).at(-1)!.seq!;
    // crash: the first runtime is abandoned mid-turn, never stopped

    const second = runtime(stored, echo);
    await second.manager.start();
    await second.waitFor(() => ofType(second.events, 'session:turn:end').length === 3);
    const ends = ofType(second.events, 'session:turn:end').map((event) => event.data as { turnId: string; outcome: string; error?: { code: string } });
    expect(ends[0]).toMatchObject({ turnId: crashedTurn.turnId, outcome: 'error', error: { code: 'RUNTIME_RESTARTED' } });
    expect(ends.slice(1).map((end) => end.outcome)).toEqual(['completed', 'completed']);
    const starts = ofType(second.events, 'session:turn:start').map((event) => (event.data as { clientMessageId?: string }).clientMessageId);
    expect(starts).toEqual(['m2', 'm3']);

    for (const clientMessageId of ['m1', 'm2']) {
      expect(await second.manager.sendMessage(sessionId, { content: 'again', clientMessageId })).toMatchObject({ success: true, clientMessageId, queued: false });
    }
    // A message after the retries runs next; had a retry been queued, it would have run before it.
    await second.manager.sendMessage(sessionId, { content: 'fresh', clientMessageId: 'm4' });
    await second.waitFor(() => ofType(second.events, 'session:turn:end').length === 4);
    expect(ofType(second.events, 'session:turn:start').map((event) => (event.data as { clientMessageId?: string }).clientMessageId)).toEqual(['m2', 'm3', 'm4']);

    // A client that reconnects with the seq it last saw gets the restarted turn's end, no gap.
    const replay = await second.manager.events.replay(sessionId, lastSeen);
    expect(replay.kind).toBe('events');
    const replayed = replay.kind === 'events' ? replay.events : [];
    expect(replayed.map((event) => event.seq)).toEqual(replayed.map((_, index) => lastSeen + 1 + index));
    expect(replayed.filter((event) => event.event === 'session:turn:end' && event.data.turnId === crashedTurn.turnId)).toHaveLength(1);
    const blocks = (await second.manager.getSession(sessionId)).blocks.filter((block) => block.type === 'assistant_text');
    expect(blocks.map((block) => (block as { content: string }).content)).toEqual(['echo: queued a', 'echo: queued b', 'echo: fresh']);
    await second.manager.stop();
  });

  it('a crash during a restore of 3,000 files never turns the files not yet restored into deletions', async () => {
    const stored = storage();
    const files = Array.from({ length: 3000 }, (_, index) => ({ path: `data/file-${index}.txt`, content: `content ${index}` }));
    const first = runtime(stored, echo);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    for (const file of files) await stored.persistence.saveWorkspaceFile(sessionId, file);
    await first.manager.stop();

    // The next runtime starts a new sandbox for a message and dies after writing 1 file of 3,000.
    const fake = stored.provider as FakeSandboxProvider;
    const create = fake.create.bind(fake);
    let died!: () => void;
    const dead = new Promise<void>((resolve) => (died = resolve));
    fake.create = async (options) => {
      const sandbox = await create(options);
      const write = sandbox.writeFile.bind(sandbox);
      let written = 0;
      sandbox.writeFile = async (path, content, fileOptions) => {
        if (written++ >= 1) {
          died();
          return new Promise(() => undefined);
        }
        return write(path, content, fileOptions);
      };
      return sandbox;
    };
    const crashing = runtime(stored, echo);
    await crashing.manager.start();
    await crashing.manager.sendMessage(sessionId, { content: 'hello' });
    await dead;
    fake.create = create;

    const after = runtime(stored, echo);
    await after.manager.start();
    const saved = await stored.persistence.loadSession(sessionId);
    expect(saved?.workspaceFiles).toHaveLength(3000);
    // The orphan that never finished its restore was reaped, and the queued message then ran once.
    await after.waitFor(() => ofType(after.events, 'session:turn:end').length === 1);
    expect(ofType(after.events, 'session:turn:end')[0]!.data).toMatchObject({ outcome: 'error', error: { code: 'RUNTIME_RESTARTED' } });
    expect((await after.manager.getSession(sessionId)).workspaceFiles).toHaveLength(3000);
    await after.manager.stop();
  });

  it('a database unwritable at shutdown keeps the sandbox; its data arrives once the database is back', async () => {
    let broken = false;
    const memory = createMemoryPersistence({ profiles: [profile] });
    const guarded: PersistenceAdapter = {
      ...memory,
      saveTranscript: (...args) => (broken ? Promise.reject(new Error('database is read-only')) : memory.saveTranscript(...args)),
      saveWorkspaceFile: (...args) => (broken ? Promise.reject(new Error('database is read-only')) : memory.saveWorkspaceFile(...args)),
    };
    const stored = storage(guarded);
    const first = runtime(stored, echo);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await first.manager.sendMessage(sessionId, { content: 'one' });
    await first.waitFor(() => ofType(first.events, 'session:turn:end').length === 1);
    const sandbox = (stored.provider as FakeSandboxProvider).sandboxes[0]!;
    expect(await sandbox.readFile(RESTORE_COMPLETE_MARKER, { root: 'home' })).toBeDefined();
    await sandbox.watch!(() => undefined); // (the mirror's own feed is closed below by stop, not by this)
    broken = true;
    // The last change of the session (written after the last sync).
    const roots = sandbox.roots.workspace;
    roots.set('last.txt', { bytes: new TextEncoder().encode('the last file'), modifiedAt: Date.now() });
    await first.manager.stop();
    expect(sandbox.terminated).toBe(false);
    expect(ofType(first.events, 'error').map((event) => (event.data as { message: string }).message).join()).toMatch(/sandbox is kept/);
    expect((await memory.loadSession(sessionId))?.workspaceFiles.map((file) => file.path)).not.toContain('last.txt');

    broken = false;
    const second = runtime(stored, echo);
    await second.manager.start();
    expect((await memory.loadSession(sessionId))?.workspaceFiles.map((file) => file.path)).toContain('last.txt');
    expect(sandbox.terminated).toBe(true);
    await second.manager.stop();
  });
});

describe('restarts (the crash window between a turn end and the queue)', () => {
  it('a turn whose end was stored but not yet marked done in the queue does not get a second end', async () => {
    const stored = storage();
    const first = runtime(stored, echo);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    // The crash comes after the turn end was stored, before the queue recorded the turn as done.
    const complete = stored.turnQueueStore.complete.bind(stored.turnQueueStore);
    stored.turnQueueStore.complete = () => {
      stored.turnQueueStore.complete = complete; // only this one call never finishes
      return new Promise(() => undefined);
    };
    await first.manager.sendMessage(sessionId, { content: 'one', clientMessageId: 'c1' });
    await first.waitFor(() => ofType(first.events, 'session:turn:end').length === 1);

    const second = runtime(stored, echo);
    await second.manager.start();
    await second.manager.sendMessage(sessionId, { content: 'two', clientMessageId: 'c2' });
    await second.waitFor(() => ofType(second.events, 'session:turn:end').length === 1);
    const ends = ofType([...first.events, ...second.events], 'session:turn:end').map((event) => event.data as { outcome: string });
    expect(ends.map((end) => end.outcome)).toEqual(['completed', 'completed']);
    await second.manager.stop();
    expect(await stored.turnQueueStore.pending(sessionId)).toEqual([]);
  });

  it('a turn whose `complete` failed long ago (hundreds of events since) gets no second end at the next recovery', async () => {
    const stored = storage();
    // Each turn streams 300 deltas: the old turn's end is far back in the log by the restart.
    const chatty: ScriptedTurn = async function* (context) {
      const id = `reply-${context.turnId}`;
      yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
      for (let index = 0; index < 300; index += 1) yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: '.' };
      yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, '.'.repeat(300)) };
    };
    const first = runtime(stored, chatty);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const complete = stored.turnQueueStore.complete.bind(stored.turnQueueStore);
    stored.turnQueueStore.complete = async () => {
      stored.turnQueueStore.complete = complete; // only the first turn's fails (a database error)
      throw new Error('connection terminated unexpectedly');
    };
    await first.manager.sendMessage(sessionId, { content: 'one', clientMessageId: 'c1' });
    await first.waitFor(() => ofType(first.events, 'session:turn:end').length === 1);
    await first.manager.sendMessage(sessionId, { content: 'two', clientMessageId: 'c2' });
    await first.waitFor(() => ofType(first.events, "session:turn:end").length === 2);
    const states = async () => (await stored.turnQueueStore.pending(sessionId)).map((turn) => turn.state);
    while ((await states()).length > 1) await new Promise((resolve) => setImmediate(resolve)); // the second one is marked done
    expect(await states()).toEqual(['running']); // the first one, stale

    const second = runtime(stored, chatty);
    await second.manager.start();
    await second.manager.sendMessage(sessionId, { content: 'three', clientMessageId: 'c3' });
    await second.waitFor(() => ofType(second.events, 'session:turn:end').length === 1);
    const ends = ofType([...first.events, ...second.events], 'session:turn:end').map((event) => event.data as { outcome: string });
    expect(ends.map((end) => end.outcome)).toEqual(['completed', 'completed', 'completed']);
    await second.manager.stop();
    expect(await stored.turnQueueStore.pending(sessionId)).toEqual([]);
  });
});

describe('stop()', () => {
  it('does not wait for ever on an agent that ignores the abort: its turn ends once, after the grace', async () => {
    const stored = storage();
    // This clock fires every timer at once: the turn timeout aborts the turn, then the grace runs out.
    const first = runtime(stored, hangs);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await first.manager.sendMessage(sessionId, { content: 'stuck' });
    await first.waitFor(() => ofType(first.events, 'session:block:start').length >= 2);
    await first.manager.stop();
    expect(ofType(first.events, 'session:turn:end').map((event) => (event.data as { outcome: string }).outcome)).toEqual(['timeout']);
  });

  it('interrupts and persists a running turn; the message queued behind it stays stored and runs after the restart', async () => {
    const stored = storage();
    const untilAborted: ScriptedTurn = async function* (context) {
      const id = `partial-${context.turnId}`;
      yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
      yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: 'half an answer' };
      await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
      yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, 'half an answer') };
      yield { type: 'turn:end', outcome: 'interrupted' };
    };
    const first = runtime(stored, untilAborted);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await first.manager.sendMessage(sessionId, { content: 'long one' });
    await first.manager.sendMessage(sessionId, { content: 'next', clientMessageId: 'n' });
    await first.waitFor(() => ofType(first.events, 'session:block:delta').length === 1);
    await first.manager.stop();
    expect(ofType(first.events, 'session:turn:end').map((event) => event.data)).toEqual([expect.objectContaining({ outcome: 'interrupted' })]);
    expect((await stored.persistence.loadSession(sessionId))?.rawTranscript).toContain('half an answer');
    expect((await stored.turnQueueStore.pending(sessionId)).map((turn) => turn.clientMessageId)).toEqual(['n']);

    const second = runtime(stored, echo);
    await second.manager.start();
    await second.waitFor(() => ofType(second.events, 'session:turn:end').length === 1);
    expect(ofType(second.events, 'session:turn:start').map((event) => (event.data as { clientMessageId?: string }).clientMessageId)).toEqual(['n']);
    await second.manager.stop();
  });

  it('a turn cut by the loss of another node (cluster adopt) ends NODE_LOST and is logged as such, not as a runtime restart', async () => {
    const stored = storage();
    const first = runtime(stored, hangs);
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await first.manager.sendMessage(sessionId, { content: 'running', clientMessageId: 'm1' });
    await first.waitFor(() => ofType(first.events, 'session:block:start').length >= 1);
    // node A is lost mid-turn; node B (a coordinator stub that runs every command locally) adopts the session

    let engine: CoordinatedEngine | undefined;
    const coordinator: SessionCoordinator = {
      start: async (coordinated) => {
        engine = coordinated;
      },
      route: async (command) => engine!.runLocally(command),
      created: async () => undefined,
      announced: () => undefined,
      owns: () => true,
      whileOwner: (_sessionId, work) => work(),
      stop: async () => undefined,
      sandboxLabels: {},
    };
    const warnings: string[] = [];
    const noop = () => undefined;
    const manager = new SessionManager({
      persistence: stored.persistence,
      sandboxProvider: stored.provider,
      architectures: [createScriptedArchitecture(echo)],
      eventLog: stored.eventLog,
      turnQueueStore: stored.turnQueueStore,
      idleTimeoutMs: 600_000,
      syncIntervalMs: 600_000,
      clock: instantClock,
      coordinator,
      logger: { debug: noop, info: noop, error: noop, warn: (_object, message) => warnings.push(message ?? '') },
    });
    const events: BusEvent[] = [];
    manager.events.subscribe((event) => events.push(event));
    await manager.start();
    await engine!.adopt(sessionId, { lostNodeId: 'node-a' });
    const ends = ofType(events, 'session:turn:end').map((event) => event.data as { outcome: string; error?: { code: string } });
    expect(ends[0]).toMatchObject({ outcome: 'error', error: { code: 'NODE_LOST' } });
    expect(warnings).toContain('ending a turn cut short by the loss of its node');
    expect(warnings.some((warning) => warning.includes('runtime restart'))).toBe(false);
    await manager.stop();
  });
});
