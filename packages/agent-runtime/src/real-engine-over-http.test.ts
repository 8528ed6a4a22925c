import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentEvent } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createFakeSandboxProvider, createScriptedArchitecture } from '@agent-runtime/testkit';
import { AgentRuntime } from './agent-runtime.js';

// The transport over the REAL engine (SessionManager), with a scripted agent and a fake sandbox:
// what a client sees on join, the queue bound, idempotent retries, and redaction of known secrets.

const SECRET = 'sk-ant-very-secret-value-1234';
let runtime: AgentRuntime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

async function start(options: { maxQueuedMessages?: number; gate?: Promise<void> } = {}) {
  const architecture = createScriptedArchitecture(async function* (context): AsyncGenerator<AgentEvent> {
    await options.gate;
    const id = `reply-${context.turnId}`;
    const block = { id, type: 'assistant_text' as const, timestamp: '2026-01-01T00:00:00.000Z', content: '' };
    yield { type: 'block:start', conversationId: 'main', block };
    yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: `the key is ${SECRET}` };
    yield { type: 'block:complete', conversationId: 'main', blockId: id, block: { ...block, content: `the key is ${SECRET}` } };
  });
  runtime = new AgentRuntime({
    persistence: createMemoryPersistence({ profiles: [{ id: 'p', name: 'P' }] }),
    sandbox: createFakeSandboxProvider(),
    architectures: [architecture],
    websocketPort: 0,
    host: '127.0.0.1',
    logLevel: 'error',
    secretValues: [SECRET],
    ...(options.maxQueuedMessages === undefined ? {} : { maxQueuedMessages: options.maxQueuedMessages }),
  });
  await runtime.start();
  const url = runtime.url!;
  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    }));
  const created = await post('/sessions/create', { agentProfileRef: 'p', architecture: 'claude-agent-sdk' });
  return { url, post, sessionId: created.body.sessionId as string };
}

function connect(url: string) {
  const socket = new WebSocket(url.replace('http', 'ws'));
  const frames: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  socket.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    for (const waiter of waiters.splice(0)) waiter();
  });
  const until = async (check: () => boolean) => {
    while (!check()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { socket, frames, until, opened: new Promise((resolve) => socket.once('open', resolve)) };
}

describe('the transport over the real engine', () => {
  it('a socket joining a session whose sandbox is ready receives its session:status after the ack', async () => {
    const { url, sessionId } = await start();
    await new Promise<void>((resolve) => {
      const check = () => (runtime!.sessions.listSessions()[0]?.status === 'active' ? resolve() : setImmediate(check));
      check();
    });
    const client = connect(url);
    await client.opened;
    client.socket.send(JSON.stringify({ event: 'session:join', args: [sessionId], ack: 1 }));
    await client.until(() => client.frames.some((frame) => frame.event === 'session:status'));
    const ackIndex = client.frames.findIndex((frame) => frame.ack === 1);
    const statusIndex = client.frames.findIndex((frame) => frame.event === 'session:status');
    expect(ackIndex).toBeGreaterThanOrEqual(0);
    expect(statusIndex).toBeGreaterThan(ackIndex);
    expect(client.frames[statusIndex]).toEqual({ event: 'session:status', data: { sessionId, status: 'active' } });
    client.socket.close();
  });

  it('refuses messages beyond maxQueuedMessages with 429 TOO_MANY_QUEUED_MESSAGES; a retried clientMessageId is acknowledged and runs once', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { post, sessionId } = await start({ maxQueuedMessages: 1, gate });
    const starts: string[] = [];
    let ends = 0;
    const waiters: (() => void)[] = [];
    runtime!.sessions.events.subscribe((event) => {
      if (event.event === 'session:turn:start') starts.push(event.data.clientMessageId ?? '');
      if (event.event === 'session:turn:end') ends++;
      for (const waiter of waiters.splice(0)) waiter();
    });
    const endsReach = async (count: number) => {
      while (ends < count) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    try {
      expect((await post(`/sessions/${sessionId}/message`, { content: 'first', clientMessageId: 'a' })).status).toBe(200);
      expect((await post(`/sessions/${sessionId}/message`, { content: 'second', clientMessageId: 'b' })).body).toMatchObject({ queued: true });
      const refused = await post(`/sessions/${sessionId}/message`, { content: 'third' });
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ error: { code: 'TOO_MANY_QUEUED_MESSAGES' } });
      expect(await post(`/sessions/${sessionId}/message`, { content: 'second', clientMessageId: 'b' })).toMatchObject({ status: 200, body: { queued: true } });
    } finally {
      open();
    }
    await endsReach(2);
    expect(await post(`/sessions/${sessionId}/message`, { content: 'first', clientMessageId: 'a' })).toMatchObject({ status: 200 });
    // A message after the retries: had a retry been queued, it would have run before it.
    await post(`/sessions/${sessionId}/message`, { content: 'later', clientMessageId: 'c' });
    await endsReach(3);
    expect(starts).toEqual(['a', 'b', 'c']);
  });

  it('redacts known secret values from published blocks and stored transcripts', async () => {
    const { url, post, sessionId } = await start();
    const client = connect(url);
    await client.opened;
    client.socket.send(JSON.stringify({ event: 'session:join', args: [sessionId], ack: 1 }));
    await client.until(() => client.frames.some((frame) => frame.ack === 1));
    await post(`/sessions/${sessionId}/message`, { content: 'tell me' });
    await client.until(() => client.frames.some((frame) => frame.event === 'session:turn:end'));
    const everything = JSON.stringify(client.frames);
    expect(everything).toContain('[REDACTED]');
    expect(everything).not.toContain(SECRET);
    const session = await fetch(`${url}/sessions/${sessionId}`).then((response) => response.text());
    expect(session).not.toContain(SECRET);
    const saved = await runtime!.config.persistence.loadSession(sessionId);
    expect(saved?.rawTranscript).toContain('[REDACTED]');
    expect(saved?.rawTranscript).not.toContain(SECRET);
    client.socket.close();
  });
});
