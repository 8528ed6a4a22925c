import { Counter, type Registry } from 'prom-client';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

/**
 * Registers `agent_runtime_webhook_deliveries_total{result}` (delivered / retried / failed /
 * dropped) on a prom-client registry — e.g. transport-fastify's, `app.agentRuntime.metrics.registry`,
 * so they appear on `/metrics`. Returns the function that stops counting.
 */
export function registerWebhookMetrics(dispatcher: WebhookDispatcher, registry: Registry): () => void {
  const counter = new Counter({
    name: 'agent_runtime_webhook_deliveries_total',
    help: 'Webhook delivery attempts by result: delivered, retried (failed, will retry), failed (gave up), dropped (queue full or stopped).',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of ['delivered', 'retried', 'failed', 'dropped'] as const) counter.inc({ result }, dispatcher.stats[result]);
  return dispatcher.onOutcome((outcome) => counter.inc({ result: outcome.result }));
}
