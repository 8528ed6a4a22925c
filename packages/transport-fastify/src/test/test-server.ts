import type { FastifyInstance } from 'fastify';
import type { AgentRuntimeDecoration } from '../plugin.js';
import { createAgentRuntimeServer, type CreateAgentRuntimeServerOptions } from '../server.js';
import { createFakeSessionEngine, type FakeSessionEngine, type FakeSessionEngineOptions } from './fake-session-engine.js';

export interface TestServer {
  app: FastifyInstance & { agentRuntime: AgentRuntimeDecoration };
  engine: FakeSessionEngine;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  /** `ws://127.0.0.1:<port><websocketPath>` */
  websocketUrl: string;
  close(): Promise<void>;
}

/** Starts `createAgentRuntimeServer` with a fake engine on a random port. */
export async function startTestServer(
  options: Partial<CreateAgentRuntimeServerOptions> & { engineOptions?: FakeSessionEngineOptions } = {},
): Promise<TestServer> {
  const { engineOptions, ...serverOptions } = options;
  const engine = (serverOptions.engine as FakeSessionEngine | undefined) ?? createFakeSessionEngine(engineOptions);
  const app = createAgentRuntimeServer({ ...serverOptions, engine });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    app,
    engine,
    baseUrl,
    websocketUrl: `ws://127.0.0.1:${port}${serverOptions.websocketPath ?? '/'}`,
    close: () => app.close(),
  };
}
