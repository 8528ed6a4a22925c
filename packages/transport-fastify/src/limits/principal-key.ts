import type { FastifyRequest } from 'fastify';
import type { Principal, ResolvedPluginOptions } from '../options.js';

/**
 * The key bounds are counted under: `principalKey` when configured; else a string or number
 * principal itself, its `id` / `sub` / `userId` / `user` string field, or the client's IP.
 */
export function principalKeyOf(options: ResolvedPluginOptions, principal: Principal, request: FastifyRequest): string {
  if (options.principalKey) return options.principalKey(principal, request);
  if (typeof principal === 'string' || typeof principal === 'number') return `principal:${principal}`;
  if (typeof principal === 'object' && principal !== null) {
    for (const field of ['id', 'sub', 'userId', 'user']) {
      const value = (principal as Record<string, unknown>)[field];
      if (typeof value === 'string' || typeof value === 'number') return `principal:${value}`;
    }
  }
  return `ip:${request.ip}`;
}
