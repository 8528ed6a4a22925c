import type { AgentArchitecture, AgentProfile, PersistenceAdapter, SandboxProvider } from '@agent-runtime/core';
import { createFakeSandboxProvider } from '../doubles/fake-sandbox-provider.js';
import { createScriptedArchitecture, type ScriptedTurn } from '../doubles/scripted-architecture.js';
import { echoTurn } from './echo-turn.js';

/** What a session engine must offer the helper (`SessionManager` of `@agent-runtime/session-engine`). */
export interface EngineLike {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What an HTTP server must offer the helper (the Fastify instance of `@agent-runtime/transport-fastify`). */
export interface EngineHttpServer {
  listen(options: { port: number; host: string }): Promise<unknown>;
  close(): Promise<unknown>;
  readonly server: { address(): unknown };
}

/**
 * The packages the helper puts together, passed in by the caller: testkit depends on core only
 * (the engine's own tests use testkit, so importing the engine here would make a cycle).
 *
 * @example { SessionManager, createAgentRuntimeServer, createMemoryPersistence }
 */
export interface RealEngineParts<Manager extends EngineLike, App extends EngineHttpServer> {
  SessionManager: new (options: {
    persistence: PersistenceAdapter;
    sandboxProvider: SandboxProvider;
    architectures: AgentArchitecture[];
    idleTimeoutMs: number;
    syncIntervalMs: number;
  }) => Manager;
  createAgentRuntimeServer(options: { engine: Manager }): App;
  createMemoryPersistence(options: { profiles: AgentProfile[] }): PersistenceAdapter;
}

export interface RealEngineServer<Manager extends EngineLike = EngineLike, App extends EngineHttpServer = EngineHttpServer> {
  manager: Manager;
  app: App;
  persistence: PersistenceAdapter;
  port: number;
  baseUrl: string;
  close(): Promise<void>;
}

export interface RealEngineServerOptions {
  /** Storage to use (e.g. a closed server's, to play a restart); memory persistence by default. */
  persistence?: PersistenceAdapter;
  /** Port to listen on (e.g. a closed server's); random by default. */
  port?: number;
}

/** The profile the helper's memory persistence holds. */
export const REAL_ENGINE_PROFILE: AgentProfile = { id: 'helper', name: 'Helper' };

/**
 * The real session engine (memory persistence holding profile `helper` unless given, testkit's
 * fake sandbox and scripted architecture) behind the real HTTP + WebSocket transport, on a random
 * port unless given: what client and UI tests talk to. Pass the persistence and port of a closed
 * one to play a runtime restart.
 */
export async function startRealEngineServer<Manager extends EngineLike, App extends EngineHttpServer>(
  parts: RealEngineParts<Manager, App>,
  script: ScriptedTurn = echoTurn(),
  options: RealEngineServerOptions = {},
): Promise<RealEngineServer<Manager, App>> {
  const persistence = options.persistence ?? parts.createMemoryPersistence({ profiles: [REAL_ENGINE_PROFILE] });
  const manager = new parts.SessionManager({
    persistence,
    sandboxProvider: createFakeSandboxProvider(),
    architectures: [createScriptedArchitecture(script)],
    idleTimeoutMs: 600_000,
    syncIntervalMs: 600_000,
  });
  await manager.start();
  const app = parts.createAgentRuntimeServer({ engine: manager });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null && 'port' in address ? Number(address.port) : 0;
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
