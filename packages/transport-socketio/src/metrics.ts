import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';
import type { SocketIoBridge } from './socketio-bridge.js';

/**
 * `agent_runtime_socketio_clients` in the runtime's Prometheus registry (served at `/metrics`
 * by `agentRuntimePlugin`), when it has one.
 */
export function registerClientGauge(fastify: FastifyInstance, bridge: SocketIoBridge): void {
  const registry = (fastify as { agentRuntime?: { metrics?: { registry: Registry } } }).agentRuntime?.metrics?.registry;
  if (!registry || registry.getSingleMetric('agent_runtime_socketio_clients')) return;
  new Gauge({
    name: 'agent_runtime_socketio_clients',
    help: 'Connected Socket.IO clients.',
    registers: [registry],
    collect() {
      this.set(bridge.clientCount);
    },
  });
}
