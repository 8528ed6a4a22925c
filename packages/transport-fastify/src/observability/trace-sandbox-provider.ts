import type { SandboxProvider } from '@agent-runtime/core';
import { SpanStatusCode, trace } from '@opentelemetry/api';

/**
 * The same provider with each `create()` in an `agent_runtime.sandbox.create` span (attributes
 * `agent_runtime.session_id`, `agent_runtime.sandbox_provider`; error status when it fails).
 * Every other member is the provider's own. With `agent_runtime.sandbox.start` (create + restore,
 * from the engine's statuses) it tells how long the restore took. A no-op without an SDK.
 */
export function traceSandboxProvider(provider: SandboxProvider): SandboxProvider {
  const create: SandboxProvider['create'] = (options) =>
    trace.getTracer('@agent-runtime/transport-fastify').startActiveSpan(
      'agent_runtime.sandbox.create',
      { attributes: { 'agent_runtime.session_id': options.sessionId, 'agent_runtime.sandbox_provider': provider.name } },
      async (span) => {
        try {
          const sandbox = await provider.create(options);
          span.setAttribute('agent_runtime.sandbox_id', sandbox.id);
          return sandbox;
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  return new Proxy(provider, {
    get(target, property) {
      if (property === 'create') return create;
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
