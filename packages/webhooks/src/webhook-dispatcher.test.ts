import type { BusEvent, Logger } from '@agent-runtime/core';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebhookDispatcher, type WebhookClock, type WebhookFetch } from './webhook-dispatcher.js';
import { registerWebhookMetrics } from './webhook-metrics.js';
import { verifyWebhookSignature } from './webhook-signature.js';

const secret = 'whsec_0123456789abcdef';
const url = 'http://receiver.test/hook';

// The clock is the faked global one: retries and timeouts advance with vi.advanceTimersByTimeAsync.
const clock: WebhookClock = {
  now: () => Date.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

function logger(): Logger & { lines: [string, string, Record<string, unknown>][] } {
  const lines: [string, string, Record<string, unknown>][] = [];
  const at = (level: string) => (object: Record<string, unknown>, message?: string) => lines.push([level, message ?? '', object]);
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const turnEnd = (seq: number, sessionId = 's-1'): BusEvent => ({ event: 'session:turn:end', data: { sessionId, turnId: `t${seq}`, outcome: 'completed' }, sessionId, seq });

/** A fetch answering with the scripted statuses in order ('hang' never answers until aborted). */
function scriptedFetch(statuses: (number | 'hang' | 'throw')[]) {
  const requests: { url: string; headers: Record<string, string>; body: string; at: number }[] = [];
  const fetch: WebhookFetch = (target, init) => {
    requests.push({ url: target, headers: init.headers as Record<string, string>, body: String(init.body), at: Date.now() });
    const status = statuses.shift() ?? 200;
    if (status === 'throw') return Promise.reject(new Error('ECONNREFUSED'));
    if (status === 'hang') {
      return new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    return Promise.resolve(new Response('ok', { status }));
  };
  return { fetch, requests };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_800_000_000_000);
});
afterEach(() => vi.useRealTimers());

describe('WebhookDispatcher', () => {
  it('POSTs a signed JSON body for the four event kinds only, with delivery id and type headers', async () => {
    const { fetch, requests } = scriptedFetch([]);
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret }], fetch, clock });
    const permission = { kind: 'permission', sessionId: 's-1', conversationId: 'main', requestId: 'r1', toolName: 'Bash', toolUseId: 'tu', input: { command: 'ls' }, createdAt: 1, expiresAt: 2 };
    dispatcher.handle({ event: 'session:permission:request', data: permission, sessionId: 's-1', seq: 4 } as BusEvent);
    dispatcher.handle({ event: 'session:block:delta', data: { sessionId: 's-1', conversationId: 'main', blockId: 'b', delta: 'x' }, sessionId: 's-1', seq: 5 });
    dispatcher.handle({ event: 'session:status', data: { sessionId: 's-1', status: 'active' }, sessionId: 's-1', seq: 6 });
    dispatcher.handle(turnEnd(7));
    dispatcher.handle({ event: 'session:status', data: { sessionId: 's-1', status: 'inactive' }, sessionId: 's-1', seq: 8 });
    await dispatcher.drained();
    expect(requests.map((request) => JSON.parse(request.body).type)).toEqual(['permission.requested', 'turn.ended', 'session.idle']);
    const first = requests[0]!;
    expect(JSON.parse(first.body)).toEqual({ id: 's-1:4', type: 'permission.requested', createdAt: '2027-01-15T08:00:00.000Z', sessionId: 's-1', data: permission, seq: 4 });
    expect(first.headers).toMatchObject({ 'content-type': 'application/json', 'x-agent-runtime-event': 'permission.requested', 'x-agent-runtime-delivery': 's-1:4' });
    expect(verifyWebhookSignature(secret, first.headers['x-agent-runtime-signature'], first.body)).toBe(true);
    expect(dispatcher.stats).toEqual({ delivered: 3, failed: 0, retried: 0, dropped: 0 });
  });

  it('filters by `events`', async () => {
    const { fetch, requests } = scriptedFetch([]);
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret, events: ['session.idle'] }], fetch, clock });
    dispatcher.handle(turnEnd(1));
    dispatcher.handle({ event: 'session:status', data: { sessionId: 's-1', status: 'inactive' }, sessionId: 's-1', seq: 2 });
    await dispatcher.drained();
    expect(requests.map((request) => JSON.parse(request.body).type)).toEqual(['session.idle']);
  });

  it('sends session.idle for the idle timeout, not for a runtime stopping or handing the session over', async () => {
    const { fetch, requests } = scriptedFetch([]);
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret }], fetch, clock });
    dispatcher.handle({ event: 'session:status', data: { sessionId: 's-1', status: 'inactive', reason: 'stopped' }, sessionId: 's-1', seq: 2 });
    dispatcher.handle({ event: 'session:status', data: { sessionId: 's-1', status: 'inactive', reason: 'idle' }, sessionId: 's-1', seq: 3 });
    await dispatcher.drained();
    expect(requests.map((request) => JSON.parse(request.body).seq)).toEqual([3]);
  });

  it('retries 5xx, 429 and network errors with exponential backoff, re-signing each attempt; same delivery id', async () => {
    const { fetch, requests } = scriptedFetch([500, 'throw', 429, 200]);
    const log = logger();
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret }], fetch, clock, logger: log, initialRetryDelayMs: 1000 });
    dispatcher.handle(turnEnd(1));
    await vi.advanceTimersByTimeAsync(0);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(requests).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(4000);
    expect(requests).toHaveLength(4);
    await dispatcher.drained();
    const starts = requests.map((request) => request.at - requests[0]!.at);
    expect(starts).toEqual([0, 1000, 3000, 7000]);
    expect(new Set(requests.map((request) => request.headers['x-agent-runtime-delivery']))).toEqual(new Set(['s-1:1']));
    expect(requests[3]!.headers['x-agent-runtime-signature']).toMatch(new RegExp(`^t=${Math.floor(Date.now() / 1000)},`));
    for (const request of requests) expect(verifyWebhookSignature(secret, request.headers['x-agent-runtime-signature'], request.body, { toleranceSeconds: 10 })).toBe(true);
    expect(dispatcher.stats).toEqual({ delivered: 1, failed: 0, retried: 3, dropped: 0 });
    expect(log.lines.map(([level, message, object]) => [level, message, object.attempt, object.status ?? object.error])).toEqual([
      ['warn', 'webhook delivery failed, retrying', 1, 500],
      ['warn', 'webhook delivery failed, retrying', 2, 'ECONNREFUSED'],
      ['warn', 'webhook delivery failed, retrying', 3, 429],
      ['info', 'webhook delivered', 4, 200],
    ]);
  });

  it('gives up after maxAttempts, and at once on a 4xx; the backoff is capped', async () => {
    const { fetch, requests } = scriptedFetch([503, 503, 503, 400]);
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret, maxAttempts: 3 }], fetch, clock, initialRetryDelayMs: 1000, maxRetryDelayMs: 1500 });
    dispatcher.handle(turnEnd(1));
    await vi.advanceTimersByTimeAsync(1000 + 1500);
    await dispatcher.drained();
    expect(requests.map((request) => request.at - requests[0]!.at)).toEqual([0, 1000, 2500]);
    dispatcher.handle(turnEnd(2));
    await dispatcher.drained();
    expect(requests).toHaveLength(4);
    expect(dispatcher.stats).toEqual({ delivered: 0, failed: 2, retried: 2, dropped: 0 });
  });

  it('a receiver that hangs is given up after timeoutMs and retried; handle() returns at once', async () => {
    const { fetch, requests } = scriptedFetch(['hang', 200]);
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret, timeoutMs: 5000 }], fetch, clock, initialRetryDelayMs: 100 });
    dispatcher.handle(turnEnd(1));
    expect(requests).toHaveLength(1); // sent, not awaited: handle() returned while the receiver hangs
    expect(dispatcher.pending).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(dispatcher.stats.retried).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await dispatcher.drained();
    expect(requests).toHaveLength(2);
    expect(dispatcher.stats).toMatchObject({ delivered: 1, retried: 1 });
  });

  it('the queue is bounded: beyond maxPending deliveries are dropped, logged and counted', async () => {
    const { fetch } = scriptedFetch(['hang', 'hang', 'hang']);
    const log = logger();
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret }], fetch, clock, logger: log, maxPending: 2, concurrency: 1 });
    for (let seq = 1; seq <= 5; seq++) dispatcher.handle(turnEnd(seq));
    expect(dispatcher.pending).toBe(2);
    expect(dispatcher.stats.dropped).toBe(3);
    expect(log.lines.filter(([, message]) => message === 'webhook delivery dropped')).toHaveLength(3);
    dispatcher.close();
    await dispatcher.drained();
    expect(dispatcher.pending).toBe(0);
  });

  it('close() cancels waiting retries', async () => {
    const { fetch, requests } = scriptedFetch([500]);
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret }], fetch, clock });
    dispatcher.handle(turnEnd(1));
    await vi.advanceTimersByTimeAsync(0);
    dispatcher.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(requests).toHaveLength(1);
    expect(dispatcher.stats).toMatchObject({ retried: 1, dropped: 1 });
    dispatcher.handle(turnEnd(2));
    expect(dispatcher.pending).toBe(0);
  });

  it('refuses a bad config with INVALID_CONFIG naming the field', () => {
    expect(() => createWebhookDispatcher({ webhooks: [{ url: 'ftp://x', secret }] })).toThrow(/webhooks\[0\]\.url/);
    expect(() => createWebhookDispatcher({ webhooks: [{ url, secret: 'short' }] })).toThrow(/webhooks\[0\]\.secret: at least 16/);
    expect(() => createWebhookDispatcher({ webhooks: [{ url, secret, events: ['turn.started' as never] }] })).toThrow(/webhooks\[0\]\.events\.0/);
  });

  it('counts outcomes on a prom-client registry', async () => {
    const { fetch } = scriptedFetch([500, 200]);
    const dispatcher = createWebhookDispatcher({ webhooks: [{ url, secret }], fetch, clock, initialRetryDelayMs: 10 });
    const registry = new Registry();
    registerWebhookMetrics(dispatcher, registry);
    dispatcher.handle(turnEnd(1));
    await vi.advanceTimersByTimeAsync(10);
    await dispatcher.drained();
    const text = await registry.metrics();
    expect(text).toContain('agent_runtime_webhook_deliveries_total{result="delivered"} 1');
    expect(text).toContain('agent_runtime_webhook_deliveries_total{result="retried"} 1');
    expect(text).toContain('agent_runtime_webhook_deliveries_total{result="failed"} 0');
  });
});
