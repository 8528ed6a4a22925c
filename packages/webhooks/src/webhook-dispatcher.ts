import { noopLogger, webhookConfigSchema, AgentRuntimeError, type BusEvent, type Logger, type SessionEventSource, type WebhookConfig } from '@agent-runtime/core';
import { webhookPayload } from './webhook-event.js';
import { signWebhookBody } from './webhook-signature.js';

/** Time for timestamps, request timeouts and retry delays; inject a fake one in tests. */
export interface WebhookClock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: WebhookClock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type WebhookFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface WebhookDispatcherOptions {
  webhooks: WebhookConfig[];
  /** Default `globalThis.fetch`. */
  fetch?: WebhookFetch;
  clock?: WebhookClock;
  logger?: Logger;
  /** Deliveries outstanding at once (queued, in flight or waiting for a retry); more are dropped, logged and counted. Default 1000. */
  maxPending?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Delay before the first retry; doubles per attempt up to `maxRetryDelayMs`. Default 1000. */
  initialRetryDelayMs?: number;
  /** Default 60000. */
  maxRetryDelayMs?: number;
}

/** What became of one attempt (the delivery log, and what the metrics count). */
export interface WebhookDeliveryOutcome {
  result: 'delivered' | 'retried' | 'failed' | 'dropped';
  url: string;
  deliveryId: string;
  type: string;
  sessionId: string;
  attempt: number;
  /** The receiver's HTTP status, when it answered. */
  status?: number;
  error?: string;
  durationMs?: number;
  /** Before the next attempt (`retried`). */
  retryInMs?: number;
}

interface Delivery {
  webhook: Required<Pick<WebhookConfig, 'url' | 'secret' | 'timeoutMs' | 'maxAttempts'>>;
  deliveryId: string;
  type: string;
  sessionId: string;
  body: string;
  attempt: number;
}

const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/**
 * Sends the engine's webhook events to the configured URLs. `handle` (what `attach` subscribes)
 * is synchronous and never throws: a delivery is queued (bounded by `maxPending`) and sent in the
 * background, so a slow, failing or hanging receiver never holds up a turn. Each attempt is
 * signed anew (`X-Agent-Runtime-Signature: t=<now>,v1=<hmac>`), given up after the webhook's
 * `timeoutMs`, and retried with exponential backoff after a network error, a timeout, 408/425/429
 * or 5xx, up to `maxAttempts`. Every outcome is logged (`webhook delivered` / `retrying` /
 * `failed` / `dropped`) and counted in `stats`.
 */
export class WebhookDispatcher {
  readonly stats = { delivered: 0, failed: 0, retried: 0, dropped: 0 };
  private readonly webhooks: { config: Delivery['webhook']; events: Set<string> | undefined }[];
  private readonly fetchImplementation: WebhookFetch;
  private readonly clock: WebhookClock;
  private readonly logger: Logger;
  private readonly maxPending: number;
  private readonly concurrency: number;
  private readonly initialRetryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly queue: Delivery[] = [];
  private readonly waiting = new Map<unknown, Delivery>();
  private readonly inFlight = new Set<AbortController>();
  private readonly listeners = new Set<(outcome: WebhookDeliveryOutcome) => void>();
  private readonly drainWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: WebhookDispatcherOptions) {
    this.webhooks = options.webhooks.map((webhook, index) => {
      const parsed = webhookConfigSchema.safeParse(webhook);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new AgentRuntimeError('INVALID_CONFIG', `webhooks[${index}].${issue.path.join('.')}: ${issue.message}`, { details: { field: `webhooks.${index}.${issue.path.join('.')}` } });
      }
      const config = parsed.data;
      return {
        config: { url: config.url, secret: config.secret, timeoutMs: config.timeoutMs ?? 10_000, maxAttempts: config.maxAttempts ?? 6 },
        events: config.events ? new Set<string>(config.events) : undefined,
      };
    });
    const fetchImplementation = options.fetch ?? (globalThis.fetch?.bind(globalThis) as WebhookFetch | undefined);
    if (!fetchImplementation) throw new AgentRuntimeError('INVALID_CONFIG', 'webhooks: no fetch available (Node >= 18 has one).');
    this.fetchImplementation = fetchImplementation;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? noopLogger;
    this.maxPending = options.maxPending ?? 1000;
    this.concurrency = options.concurrency ?? 4;
    this.initialRetryDelayMs = options.initialRetryDelayMs ?? 1000;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 60_000;
  }

  /** Follows an event source (the engine's `events`); returns the unsubscribe function. */
  attach(source: Pick<SessionEventSource, 'subscribe'>): () => void {
    return source.subscribe((event) => this.handle(event));
  }

  /** One engine event: queues a delivery per webhook that wants it. Synchronous; never throws. */
  handle(event: BusEvent): void {
    if (this.closed) return;
    try {
      const payload = webhookPayload(event, this.clock.now());
      if (!payload) return;
      const body = JSON.stringify(payload);
      for (const { config, events } of this.webhooks) {
        if (events && !events.has(payload.type)) continue;
        const delivery: Delivery = { webhook: config, deliveryId: payload.id, type: payload.type, sessionId: payload.sessionId, body, attempt: 0 };
        if (this.pending >= this.maxPending) {
          this.record('dropped', delivery, { error: `more than ${this.maxPending} deliveries pending` });
          continue;
        }
        this.queue.push(delivery);
      }
      this.pump();
    } catch (error) {
      this.logger.error({ err: error, event: event.event }, 'webhook: could not queue a delivery');
    }
  }

  /** Every outcome, as it happens (metrics hook). */
  onOutcome(listener: (outcome: WebhookDeliveryOutcome) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Deliveries queued, in flight or waiting for a retry. */
  get pending(): number {
    return this.queue.length + this.inFlight.size + this.waiting.size;
  }

  /** Resolves once nothing is pending (tests; a graceful stop that wants to flush). */
  drained(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops: no new deliveries, retries cancelled and requests in flight aborted (each logged as dropped). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [handle, delivery] of this.waiting) {
      this.clock.clearTimeout(handle);
      this.record('dropped', delivery, { error: 'the runtime stopped' });
    }
    this.waiting.clear();
    for (const delivery of this.queue.splice(0)) this.record('dropped', delivery, { error: 'the runtime stopped' });
    for (const controller of this.inFlight) controller.abort();
    this.settleDrain();
  }

  private pump(): void {
    while (!this.closed && this.inFlight.size < this.concurrency && this.queue.length > 0) {
      const delivery = this.queue.shift()!;
      const controller = new AbortController();
      this.inFlight.add(controller);
      void this.attempt(delivery, controller).finally(() => {
        this.inFlight.delete(controller);
        this.pump();
        this.settleDrain();
      });
    }
  }

  private async attempt(delivery: Delivery, controller: AbortController): Promise<void> {
    delivery.attempt++;
    const startedAt = this.clock.now();
    const timestamp = Math.floor(startedAt / 1000);
    const timer = this.clock.setTimeout(() => controller.abort(), delivery.webhook.timeoutMs);
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await this.fetchImplementation(delivery.webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'agent-runtime-webhooks',
          'x-agent-runtime-signature': signWebhookBody(delivery.webhook.secret, delivery.body, timestamp),
          'x-agent-runtime-event': delivery.type,
          'x-agent-runtime-delivery': delivery.deliveryId,
        },
        body: delivery.body,
        signal: controller.signal,
        redirect: 'manual',
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
    } catch (caught) {
      error = controller.signal.aborted ? `no answer within ${delivery.webhook.timeoutMs} ms` : caught instanceof Error ? caught.message : String(caught);
    } finally {
      this.clock.clearTimeout(timer);
    }
    const durationMs = this.clock.now() - startedAt;
    const detail = { ...(status === undefined ? {} : { status }), ...(error === undefined ? {} : { error }), durationMs };
    if (status !== undefined && status >= 200 && status < 300) {
      this.record('delivered', delivery, detail);
      return;
    }
    if (this.closed) {
      this.record('dropped', delivery, { durationMs, error: 'the runtime stopped' });
      return;
    }
    if (status !== undefined && error === undefined) error = `answered ${status}`;
    const retryable = status === undefined || status >= 500 || RETRYABLE_STATUSES.has(status);
    if (!retryable || delivery.attempt >= delivery.webhook.maxAttempts) {
      this.record('failed', delivery, { ...detail, error: error ?? 'failed' });
      return;
    }
    const retryInMs = Math.min(this.maxRetryDelayMs, this.initialRetryDelayMs * 2 ** (delivery.attempt - 1));
    this.record('retried', delivery, { ...detail, retryInMs });
    const handle = this.clock.setTimeout(() => {
      this.waiting.delete(handle);
      if (this.closed) return;
      this.queue.push(delivery);
      this.pump();
    }, retryInMs);
    this.waiting.set(handle, delivery);
  }

  private record(result: WebhookDeliveryOutcome['result'], delivery: Delivery, detail: Partial<WebhookDeliveryOutcome>): void {
    this.stats[result]++;
    const outcome: WebhookDeliveryOutcome = {
      result,
      url: delivery.webhook.url,
      deliveryId: delivery.deliveryId,
      type: delivery.type,
      sessionId: delivery.sessionId,
      attempt: delivery.attempt,
      ...detail,
    };
    const { result: _result, url, ...fields } = outcome;
    const log = { webhook: url, ...fields };
    if (result === 'delivered') this.logger.info(log, 'webhook delivered');
    else if (result === 'retried') this.logger.warn(log, 'webhook delivery failed, retrying');
    else this.logger.error(log, result === 'dropped' ? 'webhook delivery dropped' : 'webhook delivery failed');
    for (const listener of this.listeners) {
      try {
        listener(outcome);
      } catch (error) {
        this.logger.error({ err: error }, 'webhook: an outcome listener threw');
      }
    }
  }

  private settleDrain(): void {
    if (this.pending !== 0 && !this.closed) return;
    for (const resolve of this.drainWaiters.splice(0)) resolve();
  }
}

/** A dispatcher for `webhooks` (validated: `INVALID_CONFIG` naming the field). Synchronous, no I/O. */
export function createWebhookDispatcher(options: WebhookDispatcherOptions): WebhookDispatcher {
  return new WebhookDispatcher(options);
}
