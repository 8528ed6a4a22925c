import { describe, expect, it, vi } from 'vitest';
import { hasErrorCode, type AgentEvent, type AgentProfile, type ConversationBlock, type SandboxProvider } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture, type ScriptedTurn } from '@agent-runtime/testkit';
import type { BusEvent } from './event-bus.js';
import { SessionManager, type SessionManagerOptions } from './session-manager.js';
import { DEFAULT_TURN_TIMEOUT_MS } from './settings.js';

const profile: AgentProfile = {
  id: 'helper',
  name: 'Helper',
  defaultWorkspaceFiles: [{ path: 'README.md', content: '# start' }],
};

function text(id: string, content: string): ConversationBlock {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', type: 'assistant_text', content };
}

/** Replies with "echo: <message>", streaming it in two deltas; writes `out.txt`. */
const echoTurn: ScriptedTurn = async function* (context, turnIndex) {
  const id = `reply-${context.turnId}`;
  const message = typeof context.message === 'string' ? context.message : 'parts';
  yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
  yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: 'echo: ' };
  yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: message };
  await context.sandbox.writeFile('out.txt', `turn ${turnIndex}: ${message}`);
  yield { type: 'metadata', usage: { inputTokens: 10, outputTokens: 2 }, model: 'scripted' };
  yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, `echo: ${message}`) };
};

function setup(script: ScriptedTurn = echoTurn, overrides: Partial<SessionManagerOptions> = {}) {
  const persistence = createMemoryPersistence({ profiles: [profile] });
  const sandboxProvider = createFakeSandboxProvider();
  const architecture = createScriptedArchitecture(script);
  const options: SessionManagerOptions = {
    persistence,
    sandboxProvider,
    architectures: [architecture],
    idleTimeoutMs: 60_000,
    syncIntervalMs: 60_000,
    ...overrides,
  };
  const manager = new SessionManager(options);
  const events: BusEvent[] = [];
  manager.events.subscribe((event) => events.push(event));
  return { manager, persistence, sandboxProvider, architecture, events, options };
}

function waitFor(events: BusEvent[], predicate: (event: BusEvent) => boolean, timeoutMs = 10_000): Promise<BusEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const found = events.find(predicate);
      if (found) return resolve(found);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting for an event'));
      setTimeout(check, 5);
    };
    check();
  });
}

const turnEnds = (events: BusEvent[]) => events.filter((event) => event.event === 'session:turn:end');

describe('SessionManager', () => {
  it('creates a session, runs a turn, streams blocks and persists transcript and files', async () => {
    const { manager, persistence, events } = setup();
    await manager.start();
    const created = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(created.status).toBe('pending');
    await manager.sendMessage(created.sessionId, { content: 'hi' });
    const end = await waitFor(events, (event) => event.event === 'session:turn:end');
    expect(end.data).toMatchObject({ outcome: 'completed' });

    const names = events.filter((event) => event.sessionId === created.sessionId).map((event) => event.event);
    expect(names).toContain('session:block:delta');
    expect(names.indexOf('session:turn:start')).toBeLessThan(names.indexOf('session:block:start'));
    const seqs = events.filter((event) => event.sessionId === created.sessionId).map((event) => event.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));

    const session = await manager.getSession(created.sessionId);
    expect(session.blocks.map((block) => block.type)).toEqual(['user_message', 'assistant_text']);
    expect(session.blocks[1]).toMatchObject({ content: 'echo: hi' });
    expect(session.workspaceFiles.map((file) => file.path).sort()).toEqual(['README.md', 'out.txt']);
    expect(session.metadata).toMatchObject({ usage: { inputTokens: 10, outputTokens: 2 }, model: 'scripted' });

    const saved = await persistence.loadSession(created.sessionId);
    expect(JSON.parse(saved!.rawTranscript!)).toHaveLength(2);
    expect(saved!.workspaceFiles.find((file) => file.path === 'out.txt')?.content).toBe('turn 0: hi');
    expect(names).toContain('session:file:created');
    await manager.stop();
  });

  it('queues a message sent while a turn runs and runs both in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { manager, events } = setup(async function* (context, turnIndex) {
      if (turnIndex === 0) await gate;
      yield* echoTurn(context, turnIndex) as AsyncIterable<AgentEvent>;
    });
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(await manager.sendMessage(sessionId, { content: 'one' })).toMatchObject({ queued: false });
    expect(await manager.sendMessage(sessionId, { content: 'two' })).toMatchObject({ queued: true });
    release();
    await waitFor(events, () => turnEnds(events).length === 2);
    const session = await manager.getSession(sessionId);
    expect(session.blocks.filter((block) => block.type === 'assistant_text').map((block) => (block as { content: string }).content)).toEqual([
      'echo: one',
      'echo: two',
    ]);
    await manager.stop();
  });

  it('acknowledges a retried clientMessageId again without running it twice', async () => {
    const { manager, events } = setup();
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    const first = await manager.sendMessage(sessionId, { content: 'once', clientMessageId: 'm-1' });
    const again = await manager.sendMessage(sessionId, { content: 'once', clientMessageId: 'm-1' });
    expect(again).toEqual(first);
    // Turns run in acceptance order: once a later message's turn ended, a second run of m-1 would have shown.
    await manager.sendMessage(sessionId, { content: 'later', clientMessageId: 'm-2' });
    await waitFor(events, () => turnEnds(events).length === 2);
    const started = events.filter((event) => event.event === 'session:turn:start').map((event) => (event.data as { clientMessageId?: string }).clientMessageId);
    expect(started).toEqual(['m-1', 'm-2']);
    await manager.stop();
  });

  it('interrupts a running turn: outcome interrupted, session takes the next message', async () => {
    const { manager, events } = setup(async function* (context, turnIndex) {
      if (turnIndex === 0) {
        await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
        yield { type: 'turn:end', outcome: 'interrupted' };
        return;
      }
      yield* echoTurn(context, turnIndex) as AsyncIterable<AgentEvent>;
    });
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'long' });
    await waitFor(events, (event) => event.event === 'session:block:start');
    expect(await manager.interrupt(sessionId)).toEqual({ interrupted: true });
    await waitFor(events, (event) => event.event === 'session:turn:end');
    expect(turnEnds(events)[0]!.data).toMatchObject({ outcome: 'interrupted' });
    await manager.sendMessage(sessionId, { content: 'next' });
    await waitFor(events, () => turnEnds(events).length === 2);
    expect(turnEnds(events)[1]!.data).toMatchObject({ outcome: 'completed' });
    expect(await manager.interrupt(sessionId)).toEqual({ interrupted: false });
    await manager.stop();
  });

  it('ends a crashing turn with exactly one error outcome', async () => {
    const { manager, events } = setup(async function* () {
      yield { type: 'block:start', conversationId: 'main', block: text('partial', '') };
      throw new Error('agent exploded');
    });
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'boom' });
    await waitFor(events, (event) => event.event === 'error');
    expect(turnEnds(events)).toHaveLength(1);
    expect(turnEnds(events)[0]!.data).toMatchObject({ outcome: 'error', error: { message: 'agent exploded' } });
    await manager.stop();
  });

  it('a sandbox that dies mid-turn gives an error, and the next message gets a new sandbox', async () => {
    const { manager, events, sandboxProvider } = setup(async function* (context, turnIndex) {
      if (turnIndex === 0) {
        sandboxProvider.sandboxes.at(-1)!.kill();
        yield { type: 'turn:end', outcome: 'error', error: { code: 'AGENT_ERROR', message: 'process exited' } };
        return;
      }
      yield* echoTurn(context, turnIndex) as AsyncIterable<AgentEvent>;
    });
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'first' });
    await waitFor(events, (event) => event.event === 'session:turn:end');
    expect(manager.listSessions()[0]!.status).toBe('inactive');
    await manager.sendMessage(sessionId, { content: 'second' });
    await waitFor(events, () => turnEnds(events).length === 2);
    expect(turnEnds(events)[1]!.data).toMatchObject({ outcome: 'completed' });
    expect(sandboxProvider.sandboxes).toHaveLength(2);
    await manager.stop();
  });

  it('idle timeout stops the sandbox, persists, and the next message resumes from the transcript', async () => {
    const { manager, events, sandboxProvider, architecture, persistence } = setup(echoTurn, { idleTimeoutMs: 100, idleWarningMs: 50 });
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'remember me' });
    await waitFor(events, (event) => event.event === 'session:status' && (event.data as { status: string }).status === 'inactive');
    expect(events.some((event) => event.event === 'session:idle:warning')).toBe(true);
    expect(sandboxProvider.sandboxes[0]!.terminated).toBe(true);
    expect((await persistence.loadSession(sessionId))!.status).toBe('inactive');

    await manager.sendMessage(sessionId, { content: 'again' });
    await waitFor(events, () => turnEnds(events).length === 2);
    expect(sandboxProvider.sandboxes).toHaveLength(2);
    const resumed = architecture.prepared.at(-1);
    expect(JSON.parse(resumed!.main!).map((block: ConversationBlock) => block.type)).toEqual(['user_message', 'assistant_text']);
    // Files were restored into the new sandbox.
    expect(new TextDecoder().decode(await sandboxProvider.sandboxes[1]!.readFile('README.md'))).toBe('# start');
    await manager.stop();
  });

  it('a new manager over the same adapter lists and resumes the session', async () => {
    const first = setup();
    await first.manager.start();
    const { sessionId } = await first.manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await first.manager.sendMessage(sessionId, { content: 'before restart' });
    await waitFor(first.events, (event) => event.event === 'session:turn:end');
    await first.manager.stop();

    const second = setup(echoTurn, {});
    const manager = new SessionManager({ ...second.options, persistence: first.persistence });
    const events: BusEvent[] = [];
    manager.events.subscribe((event) => events.push(event));
    await manager.start();
    expect(manager.listSessions().map((session) => [session.sessionId, session.status])).toEqual([[sessionId, 'inactive']]);
    const reloaded = await manager.getSession(sessionId);
    expect(reloaded.blocks.map((block) => block.type)).toEqual(['user_message', 'assistant_text']);
    await manager.sendMessage(sessionId, { content: 'after restart' });
    await waitFor(events, (event) => event.event === 'session:turn:end');
    expect((await manager.getSession(sessionId)).blocks).toHaveLength(4);
    await manager.stop();
  });

  it('gives clear coded errors', async () => {
    const { manager } = setup();
    await manager.start();
    const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'resolved', (error) => (hasErrorCode(error, error.code) ? error.code : String(error)));
    expect(await codeOf(manager.sendMessage('nope', { content: 'x' }))).toBe('SESSION_NOT_FOUND');
    expect(await codeOf(manager.createSession({ agentProfileRef: 'missing', architecture: 'claude-agent-sdk' }))).toBe('PROFILE_NOT_FOUND');
    expect(await codeOf(manager.createSession({ agentProfileRef: 'helper', architecture: 'gemini-cli' }))).toBe('UNSUPPORTED_ARCHITECTURE');
    expect(await codeOf(manager.createSession({ agentProfileRef: 'helper', architecture: 'nope' } as never))).toBe('INVALID_INPUT');
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    expect(await codeOf(manager.sendMessage(sessionId, { content: '' }))).toBe('INVALID_INPUT');
    expect(await codeOf(manager.readWorkspaceFile(sessionId, '../etc/passwd'))).toBe('PATH_REFUSED');
    expect(await codeOf(manager.readWorkspaceFile(sessionId, 'missing.txt'))).toBe('FILE_NOT_FOUND');
    await manager.terminateSession(sessionId);
    expect(manager.listSessions()[0]!.status).toBe('completed');
    expect(await codeOf(manager.sendMessage(sessionId, { content: 'x' }))).toBe('SESSION_TERMINATED');
    await manager.stop();
  });

  it('mirrors deletions and ignores agent configuration files', async () => {
    const { manager, events, persistence } = setup(async function* (context) {
      await context.sandbox.writeFile('AGENT.md', 'config');
      await context.sandbox.writeFile('.agent/settings.json', '{}');
      await context.sandbox.deleteFile('README.md');
      await context.sandbox.writeFile('bin.dat', new Uint8Array([0, 255, 1, 254]));
    });
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'files' });
    await waitFor(events, (event) => event.event === 'session:turn:end');
    const saved = await persistence.loadSession(sessionId);
    expect(saved!.workspaceFiles).toEqual([{ path: 'bin.dat', content: Buffer.from([0, 255, 1, 254]).toString('base64'), encoding: 'base64' }]);
    expect(events.some((event) => event.event === 'session:file:deleted' && (event.data as { path?: string }).path === 'README.md')).toBe(true);
    await manager.stop();
  });
});

describe('SessionManager settings', () => {
  it('syncIntervalMs: a running turn is persisted before it ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached!: () => void;
    const midTurn = new Promise<void>((resolve) => (reached = resolve));
    const { manager, persistence, events } = setup(
      async function* (context) {
        yield { type: 'block:complete', conversationId: 'main', blockId: 'a', block: text('a', 'halfway there') };
        await context.sandbox.writeFile('draft.txt', 'draft');
        reached();
        await gate;
      },
      { syncIntervalMs: 40 },
    );
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'long turn' });
    await midTurn;
    const started = Date.now();
    let saved = await persistence.loadSession(sessionId);
    while (!(saved?.rawTranscript?.includes('halfway there') && saved.workspaceFiles.some((file) => file.path === 'draft.txt')) && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      saved = await persistence.loadSession(sessionId);
    }
    expect(saved?.rawTranscript).toContain('halfway there');
    expect(saved?.workspaceFiles.map((file) => file.path)).toContain('draft.txt');
    expect(turnEnds(events)).toHaveLength(0);
    release();
    await waitFor(events, (event) => event.event === 'session:turn:end');
    await manager.stop();
  });

  it('lastActivity moves forward with every turn', async () => {
    const { manager, persistence, events } = setup();
    await manager.start();
    const { sessionId, lastActivity: createdActivity } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await manager.sendMessage(sessionId, { content: 'hi' });
    await waitFor(events, (event) => event.event === 'session:turn:end');
    const stored = await persistence.loadSession(sessionId);
    expect(stored!.lastActivity!).toBeGreaterThan(createdActivity!);
    expect(manager.listSessions()[0]!.lastActivity).toBe(stored!.lastActivity);
    await manager.stop();
  });
});

describe('sandbox progress', () => {
  it("a provider's create progress becomes session:status events with a message, while building only", async () => {
    const inner = createFakeSandboxProvider();
    let late: ((message: string) => void) | undefined;
    const sandboxProvider: SandboxProvider = {
      name: 'slow',
      async create(options) {
        options.onProgress?.('building image node:20 (15 s)');
        options.onProgress?.('scheduling the sandbox');
        late = options.onProgress;
        return inner.create(options);
      },
    };
    const { manager, events } = setup(echoTurn, { sandboxProvider });
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'hi' });
    await waitFor(events, (event) => event.event === 'session:turn:end');
    late?.('too late');
    const statuses = events.filter((event) => event.event === 'session:status').map((event) => event.data);
    expect(statuses).toEqual([
      { sessionId, status: 'building-sandbox' },
      { sessionId, status: 'building-sandbox', message: 'building image node:20 (15 s)' },
      { sessionId, status: 'building-sandbox', message: 'scheduling the sandbox' },
      { sessionId, status: 'active' },
    ]);
    await manager.stop();
  });
});

describe('turn timeout', () => {
  it('without turnTimeoutMs a hung turn still ends, with outcome timeout after the 30 min default (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    try {
      expect(DEFAULT_TURN_TIMEOUT_MS).toBe(30 * 60 * 1000);
      const { manager, events } = setup(
        async function* (context) {
          // Hangs until aborted, like a CLI whose sandbox stopped answering.
          await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
          yield { type: 'turn:end', outcome: 'interrupted' };
        },
        { idleTimeoutMs: 24 * 60 * 60 * 1000, syncIntervalMs: 10 * 60 * 1000 },
      );
      await manager.start();
      const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
      await manager.sendMessage(sessionId, { content: 'hang' });
      for (let round = 0; round < 100 && !events.some((event) => event.event === 'session:turn:start'); round++) await vi.advanceTimersByTimeAsync(0);
      expect(events.some((event) => event.event === 'session:turn:start')).toBe(true);
      await vi.advanceTimersByTimeAsync(DEFAULT_TURN_TIMEOUT_MS - 1_000);
      expect(turnEnds(events)).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1_000);
      for (let round = 0; round < 100 && turnEnds(events).length === 0; round++) await vi.advanceTimersByTimeAsync(0);
      expect(turnEnds(events)).toHaveLength(1);
      expect(turnEnds(events)[0]!.data).toMatchObject({ outcome: 'timeout', error: { code: 'TURN_TIMEOUT' } });
      const stopping = manager.stop();
      await vi.advanceTimersByTimeAsync(1_000);
      await stopping;
    } finally {
      vi.useRealTimers();
    }
  });

  it('a turn longer than turnTimeoutMs is stopped with outcome timeout and an error event', async () => {
    const { manager, events } = setup(
      async function* (context) {
        await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
        yield { type: 'turn:end', outcome: 'interrupted' };
      },
      { turnTimeoutMs: 50 },
    );
    await manager.start();
    const { sessionId } = await manager.createSession({ agentProfileRef: 'helper', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'forever' });
    await waitFor(events, (event) => event.event === 'session:turn:end');
    expect(turnEnds(events)).toHaveLength(1);
    expect(turnEnds(events)[0]!.data).toMatchObject({ outcome: 'timeout', error: { code: 'TURN_TIMEOUT' } });
    expect(events.some((event) => event.event === 'error' && (event.data as { code?: string }).code === 'TURN_TIMEOUT')).toBe(true);
    await manager.stop();
  });
});
