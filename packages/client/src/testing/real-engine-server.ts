import type { AgentProfile, ConversationBlock, PersistenceAdapter } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { SessionManager } from '@agent-runtime/session-engine';
import { createFakeSandboxProvider, createScriptedArchitecture, type ScriptedTurn } from '@agent-runtime/testkit';
import { createAgentRuntimeServer } from '@agent-runtime/transport-fastify';

const profile: AgentProfile = { id: 'helper', name: 'Helper' };

function text(id: string, content: string): ConversationBlock {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', type: 'assistant_text', content };
}

/**
 * Replies "echo: <message>" in `deltas` chunks, writes `out.txt` and reports usage. Before each
 * chunk it awaits `gate(turnIndex, chunkIndex)`, so a test can hold a turn mid-stream.
 */
export function echoTurn(options: { deltas?: number; gate?: (turnIndex: number, chunk: number) => Promise<void> } = {}): ScriptedTurn {
  return async function* (context, turnIndex) {
    const id = `reply-${context.turnId}`;
    const message = typeof context.message === 'string' ? context.message : 'parts';
    const chunks = ['echo: ', ...Array.from({ length: (options.deltas ?? 2) - 1 }, (_, index) => (index === 0 ? message : `.${index}`))];
    yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
    for (const [index, chunk] of chunks.entries()) {
      await options.gate?.(turnIndex, index);
      yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: chunk };
    }
    await context.sandbox.writeFile('out.txt', `turn ${turnIndex}: ${message}`);
    yield { type: 'metadata', usage: { inputTokens: 10, outputTokens: 2 }, model: 'scripted' };
    yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, chunks.join('')) };
  };
}

export interface RealEngineServer {
  manager: SessionManager;
  app: ReturnType<typeof createAgentRuntimeServer>;
  persistence: PersistenceAdapter;
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The real `SessionManager` (memory persistence unless given, testkit's fake sandbox and scripted
 * architecture) behind the real transport-fastify plugin, on a random port unless given. Pass the
 * persistence and port of a closed one to play a runtime restart.
 */
export async function startRealEngineServer(
  script: ScriptedTurn = echoTurn(),
  options: { persistence?: PersistenceAdapter; port?: number } = {},
): Promise<RealEngineServer> {
  const persistence = options.persistence ?? createMemoryPersistence({ profiles: [profile] });
  const manager = new SessionManager({
    persistence,
    sandboxProvider: createFakeSandboxProvider(),
    architectures: [createScriptedArchitecture(script)],
    idleTimeoutMs: 600_000,
    syncIntervalMs: 600_000,
  });
  await manager.start();
  const app = createAgentRuntimeServer({ engine: manager });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    manager,
    app,
    persistence,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await manager.stop();
    },
  };
}
