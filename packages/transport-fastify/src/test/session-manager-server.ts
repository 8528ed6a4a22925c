import type { AgentEvent, AgentProfile, ConversationBlock } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { SessionManager, type BusEvent } from '@agent-runtime/session-engine';
import { createFakeSandboxProvider, createScriptedArchitecture, type ScriptedTurn } from '@agent-runtime/testkit';
import type { FastifyInstance } from 'fastify';
import type { AgentRuntimeDecoration } from '../plugin.js';
import { createAgentRuntimeServer, type CreateAgentRuntimeServerOptions } from '../server.js';

const profile: AgentProfile = { id: 'helper', name: 'Helper' };

/**
 * A turn that waits for `release(turnIndex)` before replying "echo: <message>" (so a test decides
 * when a turn is running and when it ends), or ends early when interrupted.
 */
export function gatedEchoTurn(): { script: ScriptedTurn; release: (turnIndex: number) => void; started: (turnIndex: number) => Promise<void> } {
  const gates = new Map<number, { open: () => void; opened: Promise<void>; began: () => void; beganPromise: Promise<void> }>();
  const gate = (index: number) => {
    let entry = gates.get(index);
    if (!entry) {
      let open!: () => void;
      let began!: () => void;
      const opened = new Promise<void>((resolve) => (open = resolve));
      const beganPromise = new Promise<void>((resolve) => (began = resolve));
      entry = { open, opened, began, beganPromise };
      gates.set(index, entry);
    }
    return entry;
  };
  const script: ScriptedTurn = async function* (context, turnIndex): AsyncIterable<AgentEvent> {
    const id = `reply-${context.turnId}`;
    const text = (content: string): ConversationBlock => ({ id, timestamp: new Date().toISOString(), type: 'assistant_text', content });
    gate(turnIndex).began();
    yield { type: 'block:start', conversationId: 'main', block: text('') };
    const aborted = new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
    await Promise.race([gate(turnIndex).opened, aborted]);
    const message = typeof context.message === 'string' ? context.message : 'parts';
    yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: `echo: ${message}` };
    yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(`echo: ${message}`) };
  };
  return { script, release: (index) => gate(index).open(), started: (index) => gate(index).beganPromise };
}

export interface SessionManagerServer {
  app: FastifyInstance & { agentRuntime: AgentRuntimeDecoration };
  manager: SessionManager;
  baseUrl: string;
  websocketUrl: string;
  /** Every event the engine published, in order. */
  events: BusEvent[];
  /** Resolves with the first event (already published or future) that matches. */
  waitForEvent(predicate: (event: BusEvent) => boolean): Promise<BusEvent>;
  close(): Promise<void>;
}

/** The transport over the real `SessionManager`: memory persistence, fake sandbox, a scripted agent. */
export async function startSessionManagerServer(
  script: ScriptedTurn,
  options: Partial<CreateAgentRuntimeServerOptions> = {},
  engineOptions: { maxMirroredFileBytes?: number; profiles?: AgentProfile[] } = {},
): Promise<SessionManagerServer> {
  const { profiles = [], ...settings } = engineOptions;
  const manager = new SessionManager({
    persistence: createMemoryPersistence({ profiles: [profile, ...profiles] }),
    sandboxProvider: createFakeSandboxProvider(),
    architectures: [createScriptedArchitecture(script)],
    idleTimeoutMs: 600_000,
    syncIntervalMs: 600_000,
    ...settings,
  });
  const events: BusEvent[] = [];
  const waiters: { predicate: (event: BusEvent) => boolean; resolve: (event: BusEvent) => void }[] = [];
  manager.events.subscribe((event) => {
    events.push(event);
    for (const waiter of [...waiters]) {
      if (!waiter.predicate(event)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(event);
    }
  });
  await manager.start();
  const app = createAgentRuntimeServer({ ...options, engine: manager });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    manager,
    baseUrl: `http://127.0.0.1:${port}`,
    websocketUrl: `ws://127.0.0.1:${port}/`,
    events,
    waitForEvent: (predicate) => {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: async () => {
      await app.close();
      await manager.stop();
    },
  };
}
