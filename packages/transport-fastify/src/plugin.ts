import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import { AgentRuntimeError } from '@agent-runtime/core';
import fastifyWebsocket from '@fastify/websocket';
import type { SessionEngine } from '@agent-runtime/core';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { authenticateRequest } from './auth.js';
import { agentRuntimeErrorHandler } from './http/error-handler.js';
import { registerServiceRoutes } from './http/service-routes.js';
import { registerSessionRoutes } from './http/session-routes.js';
import { principalKeyOf } from './limits/principal-key.js';
import { RuntimeMetrics } from './observability/metrics.js';
import { Tracing } from './observability/tracing.js';
import { resolvePluginOptions, type AgentRuntimePluginOptions, type Principal } from './options.js';
import { checkRequest } from './security/request-guards.js';
import { WebSocketHub } from './websocket/websocket-hub.js';

/** What the plugin adds to the Fastify instance as `fastify.agentRuntime`. */
export interface AgentRuntimeDecoration {
  engine: SessionEngine;
  /** The WebSocket clients (for metrics and tests). */
  hub: WebSocketHub;
  /** The Prometheus metrics (absent with `metrics: false`); `metrics.registry` to add your own. */
  metrics: RuntimeMetrics | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    agentRuntime: AgentRuntimeDecoration;
  }
  interface FastifyRequest {
    /** What `authenticate` returned for this request (`null` without an `authenticate` hook). */
    agentRuntimePrincipal: Principal;
  }
  interface FastifyContextConfig {
    /** Route served without `authenticate` (health, readiness, OpenAPI). */
    agentRuntimePublic?: boolean;
    /** Body content types this route takes besides none (the upload routes); every other route takes only `application/json`. */
    agentRuntimeBodyTypes?: readonly string[];
  }
}

const plugin: FastifyPluginAsync<AgentRuntimePluginOptions> = async (fastify, rawOptions) => {
  const options = resolvePluginOptions(rawOptions);
  let hub: WebSocketHub | undefined;
  const metrics = options.metrics
    ? new RuntimeMetrics({ listSessions: () => options.engine.listSessions(), webSocketClients: () => hub?.connections.size ?? 0 }, options.metrics.registry)
    : undefined;
  hub = new WebSocketHub(options, fastify.log, metrics);
  const tracing = new Tracing();
  let stopTracing: (() => void) | undefined;
  fastify.decorate('agentRuntime', { engine: options.engine, hub, metrics });
  if (!fastify.hasRequestDecorator('agentRuntimePrincipal')) fastify.decorateRequest('agentRuntimePrincipal', null);
  fastify.addHook('onReady', async () => {
    hub.start();
    stopTracing ??= options.engine.events.subscribe((event) => tracing.observe(event));
  });
  // Before @fastify/websocket's own preClose, so our sockets are closed with 1001 and a reason.
  fastify.addHook('preClose', async () => {
    hub.stop();
    stopTracing?.();
    stopTracing = undefined;
    tracing.close();
  });
  if (!fastify.hasDecorator('websocketServer')) {
    await fastify.register(fastifyWebsocket, { options: { maxPayload: options.maxMessageBytes * 16 } });
  }

  // Our routes live in their own context so our error handler, auth hook and CORS touch no other route.
  await fastify.register(async (app: FastifyInstance) => {
    app.setErrorHandler(agentRuntimeErrorHandler);
    if (options.cors) {
      await app.register(fastifyCors, {
        origin: options.cors.origin,
        credentials: options.cors.credentials ?? false,
        methods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      });
    }
    await app.register(fastifyRateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        new AgentRuntimeError('RATE_LIMITED', `Too many messages: at most ${context.max} per ${options.limits.messageWindowMs} ms; retry in ${context.after}.`, {
          details: { limit: 'messagesPerWindow', max: context.max, retryAfterMs: context.ttl },
        }),
    });
    app.addHook('onRoute', (route) => {
      route.bodyLimit ??= options.maxBodyBytes;
    });
    app.addHook('onRequest', async (request) => {
      tracing.startRequest(request);
      checkRequest(options, request);
      if (request.method === 'OPTIONS') return;
      if (request.routeOptions.config?.agentRuntimePublic && !request.ws) return;
      request.agentRuntimePrincipal = await authenticateRequest(options.authenticate, request);
      if (request.ws) hub.assertConnectionAllowed(principalKeyOf(options, request.agentRuntimePrincipal, request));
    });
    app.addHook('onResponse', async (request, reply) => {
      tracing.endRequest(request, reply);
    });

    app.route({
      method: 'GET',
      url: options.websocketPath,
      config: { agentRuntimePublic: true },
      handler: async () => ({ service: 'agent-runtime', websocket: options.websocketPath, openapi: '/openapi.json' }),
      wsHandler: (socket, request) => {
        hub.accept(socket, request.agentRuntimePrincipal, principalKeyOf(options, request.agentRuntimePrincipal, request));
      },
    });
    registerSessionRoutes(app, options, tracing);
    registerServiceRoutes(app, options, metrics);
  });
};

/**
 * The agent-runtime REST routes and WebSocket endpoint as a Fastify 5 plugin. Registers
 * `@fastify/websocket` unless the instance already has it.
 *
 * @example
 * await app.register(agentRuntimePlugin, { engine });
 */
export const agentRuntimePlugin = fp(plugin, { fastify: '5.x', name: '@agent-runtime/transport-fastify' });
