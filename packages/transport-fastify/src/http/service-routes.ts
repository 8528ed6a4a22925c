import type { AgentProfileListData } from '@agent-runtime/core';
import type { FastifyInstance } from 'fastify';
import type { RuntimeMetrics } from '../observability/metrics.js';
import type { ResolvedPluginOptions } from '../options.js';
import { registerAsyncApiRoute } from './asyncapi-document.js';
import { buildOpenApiDocument } from './openapi-document.js';

/** Agent profiles, health, readiness and the OpenAPI document. */
export function registerServiceRoutes(app: FastifyInstance, options: ResolvedPluginOptions, metrics: RuntimeMetrics | undefined): void {
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

  if (metrics && options.metrics) {
    app.get(options.metrics.path, { config: { agentRuntimePublic: options.metrics.public } }, async (_request, reply) => {
      const { contentType, body } = await metrics.text();
      return reply.type(contentType).send(body);
    });
  }

  app.get('/openapi.json', { config: { agentRuntimePublic: true } }, async () => {
    openApi ??= buildOpenApiDocument(options);
    return openApi;
  });
  registerAsyncApiRoute(app, options);
}
