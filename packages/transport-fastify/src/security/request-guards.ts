import { AgentRuntimeError } from '@agent-runtime/core';
import type { FastifyRequest } from 'fastify';
import type { ResolvedPluginOptions } from '../options.js';
import { isHostAllowed } from './host-check.js';
import { isOriginAllowed } from './origin-check.js';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function hasBody(request: FastifyRequest): boolean {
  const length = header(request, 'content-length');
  return (length !== undefined && length !== '0') || header(request, 'transfer-encoding') !== undefined;
}

/**
 * Checks that run before authentication on every route of the plugin:
 * - the `Host` header is one we answer to (403 `FORBIDDEN`, `details.reason: 'host'`);
 * - a WebSocket upgrade, POST or DELETE from a browser comes from an allowed origin (403,
 *   `details.reason: 'origin'`) — so a page elsewhere can neither join a session nor interrupt it;
 * - a POST/PUT with a body sends `application/json` (415), or on the upload routes exactly the
 *   type they declare (`agentRuntimeBodyTypes`: `application/octet-stream`, `application/x-tar`,
 *   neither a type a cross-site form can send): a cross-site "simple" request (`text/plain`, a
 *   form) can never reach a handler.
 */
export function checkRequest(options: ResolvedPluginOptions, request: FastifyRequest): void {
  const host = header(request, 'host');
  if (!isHostAllowed(host, request.socket?.localAddress, options.allowedHosts)) {
    throw new AgentRuntimeError('FORBIDDEN', `Host "${String(host ?? '').slice(0, 100)}" is not served here.`, {
      details: { reason: 'host' },
    });
  }
  const changesState = request.method === 'POST' || request.method === 'DELETE' || request.method === 'PUT' || request.method === 'PATCH';
  if ((request.ws || changesState) && !isOriginAllowed(header(request, 'origin'), host, options.allowedOrigins, options.cors)) {
    throw new AgentRuntimeError('FORBIDDEN', `Origin "${String(header(request, 'origin')).slice(0, 100)}" is not allowed.`, {
      details: { reason: 'origin' },
    });
  }
  if (changesState && hasBody(request)) {
    const contentType = (header(request, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const accepted = request.routeOptions.config?.agentRuntimeBodyTypes ?? ['application/json'];
    if (!accepted.includes(contentType)) {
      throw new AgentRuntimeError('UNSUPPORTED_MEDIA_TYPE', `body: unsupported content type; send ${accepted.join(' or ')}.`, {
        details: { field: 'body', contentType: contentType || undefined, accepted },
      });
    }
  }
}
