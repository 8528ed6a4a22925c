import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from './error-status.js';

/**
 * Fastify error handler: every error becomes `{ error: { code, message, details? } }` with the
 * status from `ERROR_STATUS`; unexpected errors are logged and answered with a bare 500.
 */
export function agentRuntimeErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = mapError(error);
  if (mapped.unexpected) request.log.error({ err: error }, 'request failed');
  void reply.code(mapped.status).send(mapped.body);
}

/** Not-found handler with the same JSON shape (404 NOT_FOUND). */
export function agentRuntimeNotFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  const url = request.url.length > 200 ? `${request.url.slice(0, 200)}...` : request.url;
  void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `Route ${request.method} ${url} not found.` } });
}
