import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { SessionManager } from '@agent-runtime/session-engine';
import { startRealEngineServer as start, type RealEngineServer as Server, type RealEngineServerOptions, type ScriptedTurn } from '@agent-runtime/testkit';
import { createAgentRuntimeServer } from '@agent-runtime/transport-fastify';

export { echoTurn } from '@agent-runtime/testkit';

/** testkit's real engine server (see `startRealEngineServer` there) with this repo's engine, transport and memory persistence. */
export type RealEngineServer = Server<SessionManager, ReturnType<typeof createAgentRuntimeServer>>;

export const startRealEngineServer = (script?: ScriptedTurn, options?: RealEngineServerOptions): Promise<RealEngineServer> =>
  start<SessionManager, ReturnType<typeof createAgentRuntimeServer>>({ SessionManager, createAgentRuntimeServer, createMemoryPersistence }, script, options);
