import { noopLogger, type Logger } from '@agent-runtime/core';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import { agentRuntimeErrorHandler, agentRuntimeNotFoundHandler } from './http/error-handler.js';
import { mapError } from './http/error-status.js';
import type { AgentRuntimePluginOptions } from './options.js';
import { agentRuntimePlugin } from './plugin.js';

export interface CreateAgentRuntimeServerOptions extends AgentRuntimePluginOptions {
  /** A pino logger (used as is) or the minimal `Logger` of core. Default: no logging. */
  logger?: Logger | FastifyBaseLogger;
  /** Further Fastify options (not `logger`/`loggerInstance`). */
  fastify?: Omit<FastifyServerOptions, 'logger' | 'loggerInstance'>;
}

function isFastifyLogger(logger: Logger | FastifyBaseLogger): logger is FastifyBaseLogger {
  const candidate = logger as Partial<FastifyBaseLogger>;
  return typeof candidate.fatal === 'function' && typeof candidate.trace === 'function' && typeof candidate.child === 'function' && typeof candidate.level === 'string';
}

/** Adapts core's minimal `Logger` (object first) to what Fastify expects. */
export function toFastifyLogger(logger: Logger = noopLogger, bindings: Record<string, unknown> = {}): FastifyBaseLogger {
  const call =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (first: unknown, ...rest: unknown[]): void => {
      if (typeof first === 'string') logger[method]({ ...bindings }, first);
      else {
        const object = first instanceof Error ? { err: first } : (first as Record<string, unknown> | undefined);
        logger[method]({ ...bindings, ...object }, typeof rest[0] === 'string' ? rest[0] : undefined);
      }
    };
  const adapted = {
    level: 'info',
    fatal: call('error'),
    error: call('error'),
    warn: call('warn'),
    info: call('info'),
    debug: call('debug'),
    trace: () => {},
    silent: () => {},
    child: (childBindings: Record<string, unknown>) =>
      logger.child ? toFastifyLogger(logger.child(childBindings)) : toFastifyLogger(logger, { ...bindings, ...childBindings }),
  };
  return adapted as unknown as FastifyBaseLogger;
}

/**
 * A Fastify instance with `agentRuntimePlugin` registered, JSON errors everywhere (unknown routes,
 * bad URLs) and request logging off. Synchronous and I/O-free: call `listen()` to start.
 *
 * @example
 * const app = createAgentRuntimeServer({ engine });
 * await app.listen({ port: 3003, host: '0.0.0.0' });
 */
export function createAgentRuntimeServer(options: CreateAgentRuntimeServerOptions): FastifyInstance {
  const { logger, fastify: fastifyOptions, ...pluginOptions } = options;
  const loggerInstance = logger && isFastifyLogger(logger) ? logger : toFastifyLogger(logger ?? noopLogger);
  const app = Fastify({
    loggerInstance,
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 256 },
    bodyLimit: pluginOptions.maxBodyBytes ?? 4 * 1024 * 1024,
    frameworkErrors: (error, _request, reply) => {
      const mapped = mapError(error);
      void (reply as unknown as FastifyReply).code(mapped.status).send(mapped.body);
    },
    ...fastifyOptions,
  }) as unknown as FastifyInstance;
  app.setErrorHandler(agentRuntimeErrorHandler);
  app.setNotFoundHandler(agentRuntimeNotFoundHandler);
  void app.register(agentRuntimePlugin, pluginOptions);
  return app;
}
