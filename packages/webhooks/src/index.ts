export {
  createWebhookDispatcher,
  WebhookDispatcher,
  type WebhookClock,
  type WebhookDeliveryOutcome,
  type WebhookDispatcherOptions,
  type WebhookFetch,
} from './webhook-dispatcher.js';
export { webhookEventType, webhookPayload, type WebhookPayload } from './webhook-event.js';
export {
  checkWebhookSignature,
  signWebhookBody,
  verifyWebhookSignature,
  webhookSignature,
  WEBHOOK_SIGNATURE_HEADER,
  type VerifyWebhookSignatureOptions,
  type WebhookSignatureCheck,
} from './webhook-signature.js';
export { registerWebhookMetrics } from './webhook-metrics.js';
export { WEBHOOK_EVENT_TYPES, webhookConfigSchema, type WebhookConfig, type WebhookEventType } from '@agent-runtime/core';
