import type { AgentProfileListData } from '@agent-runtime/core';
import type { FastifyInstance } from 'fastify';
import type { ResolvedPluginOptions } from '../options.js';
import { registerAsyncApiRoute } from './asyncapi-document.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** Agent profiles, health, readiness and the OpenAPI document. */
export function registerServiceRoutes(app: FastifyInstance, options: ResolvedPluginOptions): void {
  const { engine } = options;
  let openApi: Record<string, unknown> | undefined;

  app.get('/agent-profiles', async (): Promise<{ profiles: AgentProfileListData[] }> => ({
    profiles: await engine.listAgentProfiles(),
  }));

  app.get('/health', { config: { agentRuntimePublic: true } }, async () => ({ status: 'ok' }));

  app.get('/ready', { config: { agentRuntimePublic: true } }, async (_request, reply) => {
    if (engine.isReady()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not-ready' });
  });

  app.get('/openapi.json', { config: { agentRuntimePublic: true } }, async () => {
    openApi ??= buildOpenApiDocument(options);
    return openApi;
  });
  registerAsyncApiRoute(app, options);
}
