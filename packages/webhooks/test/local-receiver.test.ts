import type { BusEvent } from '@agent-runtime/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebhookDispatcher, verifyWebhookSignature, type WebhookDispatcher, type WebhookPayload } from '../src/index.js';
import { startReceiver } from './local-receiver.js';

// Real HTTP against a local receiver, real fetch, the real clock (with short retry delays).
const secret = 'whsec_local_receiver_secret';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dispatcherFor(url: string, options: { timeoutMs?: number } = {}): WebhookDispatcher {
  const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret, ...options }], initialRetryDelayMs: 20 });
  cleanups.push(() => dispatcher.close());
  return dispatcher;
}

const turnEnd: BusEvent = { event: 'session:turn:end', data: { sessionId: 's-1', turnId: 't1', outcome: 'completed', durationMs: 12 }, sessionId: 's-1', seq: 3 };

describe('webhooks against a local receiver', () => {
  it('the receiver verifies the signature over the raw body', async () => {
    const receiver = await startReceiver();
    cleanups.push(receiver.close);
    const dispatcher = dispatcherFor(receiver.url);
    dispatcher.handle(turnEnd);
    await receiver.until(1);
    await dispatcher.drained();
    const [delivery] = receiver.received;
    expect(verifyWebhookSignature(secret, delivery!.headers['x-agent-runtime-signature'] as string, delivery!.body)).toBe(true);
    expect(verifyWebhookSignature('not-the-secret-at-all', delivery!.headers['x-agent-runtime-signature'] as string, delivery!.body)).toBe(false);
    const payload = JSON.parse(delivery!.body) as WebhookPayload;
    expect(payload).toMatchObject({ id: 's-1:3', type: 'turn.ended', sessionId: 's-1', data: { outcome: 'completed' } });
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(dispatcher.stats).toEqual({ delivered: 1, failed: 0, retried: 0, dropped: 0 });
  });

  it('a receiver that fails twice (500) then answers 200 gets the same delivery three times, validly signed each time', async () => {
    const receiver = await startReceiver([500, 500, 200]);
    cleanups.push(receiver.close);
    const dispatcher = dispatcherFor(receiver.url);
    dispatcher.handle(turnEnd);
    await receiver.until(3);
    await dispatcher.drained();
    expect(receiver.received.map((delivery) => delivery.answered)).toEqual([500, 500, 200]);
    expect(new Set(receiver.received.map((delivery) => delivery.headers['x-agent-runtime-delivery']))).toEqual(new Set(['s-1:3']));
    for (const delivery of receiver.received) expect(verifyWebhookSignature(secret, delivery.headers['x-agent-runtime-signature'] as string, delivery.body)).toBe(true);
    expect(dispatcher.stats).toEqual({ delivered: 1, failed: 0, retried: 2, dropped: 0 });
  });

  it('a receiver that hangs is abandoned after timeoutMs and retried; handle() never waits for it', async () => {
    const receiver = await startReceiver(['hang', 200]);
    cleanups.push(receiver.close);
    const dispatcher = dispatcherFor(receiver.url, { timeoutMs: 300 });
    dispatcher.handle(turnEnd);
    // handle() returned before the request was even sent: it queues and goes on.
    expect(receiver.received).toHaveLength(0);
    expect(dispatcher.pending).toBe(1);
    await receiver.until(2);
    await dispatcher.drained();
    expect(dispatcher.stats).toEqual({ delivered: 1, failed: 0, retried: 1, dropped: 0 });
  });
});
