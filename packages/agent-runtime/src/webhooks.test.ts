import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';
import { AgentRuntime } from './agent-runtime.js';
import { verifyWebhookSignature } from './index.js';

// The umbrella wires `webhooks` to the real engine (SessionManager, scripted agent, fake sandbox):
// a receiver that never answers does not hold up the turn, and another receiver gets a signed
// `turn.ended`; the delivery counters are on /metrics.

const secret = 'whsec_umbrella_test_secret';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(hang: boolean) {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      for (const waiter of waiters.splice(0)) waiter();
      if (!hang) response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    until: async (check: () => boolean) => {
      while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

describe('webhooks wired by the umbrella', () => {
  it('a hanging receiver leaves the turn alone; a working one gets a signed turn.ended; /metrics counts', async () => {
    const hanging = await receiver(true);
    const working = await receiver(false);
    const architecture = createScriptedArchitecture(async function* (context): AsyncGenerator<AgentEvent> {
      const block = { id: `reply-${context.turnId}`, type: 'assistant_text' as const, timestamp: '2026-01-01T00:00:00.000Z', content: 'done' };
      yield { type: 'block:start', conversationId: 'main', block };
      yield { type: 'block:complete', conversationId: 'main', blockId: block.id, block };
    });
    const runtime = new AgentRuntime({
      persistence: createMemoryPersistence({ profiles: [{ id: 'p', name: 'P' }] }),
      sandbox: createFakeSandboxProvider(),
      architectures: [architecture],
      websocketPort: 0,
      host: '127.0.0.1',
      logLevel: 'error',
      webhooks: [
        { url: hanging.url, secret, timeoutMs: 60_000 },
        { url: working.url, secret, events: ['turn.ended'] },
      ],
    });
    cleanups.push(() => runtime.stop());
    await runtime.start();
    const url = runtime.url!;
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((response) => response.json() as Promise<Record<string, unknown>>);
    const { sessionId } = (await post('/sessions/create', { agentProfileRef: 'p', architecture: 'claude-agent-sdk' })) as { sessionId: string };
    const turnEnded = new Promise<number>((resolve) => {
      const off = runtime.sessions.events.subscribe((event) => {
        if (event.event === 'session:turn:end' && event.sessionId === sessionId) {
          off();
          resolve(performance.now());
        }
      });
    });
    const sentAt = performance.now();
    await post(`/sessions/${sessionId}/message`, { content: 'hello' });
    const endedAt = await turnEnded;
    await working.until(() => working.received.length === 1);
    await hanging.until(() => hanging.received.some((delivery) => JSON.parse(delivery.body).type === 'turn.ended'));
    // The hanging receiver's request is still open (60 s timeout): the turn did not wait for it.
    expect(endedAt - sentAt).toBeLessThan(30_000);
    expect(runtime.webhooks!.pending).toBeGreaterThan(0);
    const delivery = working.received[0]!;
    expect(verifyWebhookSignature(secret, delivery.headers['x-agent-runtime-signature'] as string, delivery.body)).toBe(true);
    expect(JSON.parse(delivery.body)).toMatchObject({ type: 'turn.ended', sessionId, data: { outcome: 'completed' } });
    // A second message runs although the first turn's hanging delivery is still open.
    await post(`/sessions/${sessionId}/message`, { content: 'again' });
    await working.until(() => working.received.length === 2);
    const metrics = await fetch(`${url}/metrics`).then((response) => response.text());
    expect(metrics).toMatch(/agent_runtime_webhook_deliveries_total\{result="delivered"\} [1-9]/);
  });

  it('an invalid webhook config is refused with INVALID_CONFIG naming the field', () => {
    expect(
      () => new AgentRuntime({ persistence: createMemoryPersistence(), sandbox: createFakeSandboxProvider(), webhooks: [{ url: 'http://x.test/h', secret: 'short' }] }),
    ).toThrow('RuntimeConfig.webhooks.0.secret: at least 16 characters');
  });
});
