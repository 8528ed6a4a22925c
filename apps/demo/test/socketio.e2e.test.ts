import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoProcess, type DemoProcess } from './demo-process';

interface Received {
  event: string;
  data: Record<string, unknown>;
  seq: number | undefined;
}

/**
 * The reference README's Socket.IO client code against the demo server: the real Claude Code CLI
 * runs the turn against the offline demo model; the client is the real `socket.io-client`.
 */
describe('socket.io-client against the demo', () => {
  let demo: DemoProcess;
  let socket: Socket;
  const received: Received[] = [];
  const waiters = new Set<() => void>();

  function until(check: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const waiter = () => {
        if (!check()) return;
        waiters.delete(waiter);
        resolve();
      };
      waiters.add(waiter);
      waiter();
    });
  }

  beforeAll(async () => {
    demo = await startDemoProcess();
  });
  afterAll(async () => {
    socket?.disconnect();
    await demo?.stop();
  });

  it('connects, joins with an ack callback, receives session:block:* for a turn, leaves with an ack', async () => {
    const created = await fetch(`${demo.url}/sessions/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' }),
    }).then((response) => response.json() as Promise<{ sessionId: string }>);
    const { sessionId } = created;

    socket = io(demo.url, { reconnection: false });
    socket.onAny((event: string, data: Record<string, unknown>, meta?: { seq: number }) => {
      received.push({ event, data, seq: meta?.seq });
      for (const waiter of [...waiters]) waiter();
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });

    // Exactly as the reference shows it.
    const joined = await new Promise<Record<string, unknown>>((resolve) => {
      socket.emit('session:join', sessionId, (response: Record<string, unknown>) => resolve(response));
    });
    expect(joined).toMatchObject({ success: true });

    const sent = await fetch(`${demo.url}/sessions/${sessionId}/message`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'Write me a FizzBuzz script, please.' }),
    });
    expect(sent.status).toBe(200);
    await until(() => received.some((item) => item.event === 'session:turn:end' && item.data.sessionId === sessionId));

    // After the ack the session's current status arrives without seq; every other event has one.
    expect(received.find((item) => item.data?.sessionId === sessionId)).toMatchObject({ event: 'session:status', seq: undefined });
    const ofSession = received.filter((item) => item.data?.sessionId === sessionId && item.seq !== undefined);
    const names = new Set(ofSession.map((item) => item.event));
    for (const name of ['session:block:start', 'session:block:delta', 'session:block:complete', 'session:turn:start']) {
      expect(names).toContain(name);
    }
    expect(received.find((item) => item.event === 'session:turn:end')!.data).toMatchObject({ sessionId, outcome: 'completed' });
    const start = ofSession.find((item) => item.event === 'session:block:start')!;
    expect(start.data).toMatchObject({ sessionId, conversationId: 'main', block: { id: expect.any(String), type: expect.any(String) } });
    const delta = ofSession.find((item) => item.event === 'session:block:delta')!;
    expect(Object.keys(delta.data).sort()).toEqual(['blockId', 'conversationId', 'delta', 'sessionId']);
    const written = ofSession.find((item) => item.event === 'session:block:complete' && (item.data.block as { toolName?: string }).toolName === 'Write');
    expect(written).toBeDefined();
    const seqs = ofSession.map((item) => item.seq!);
    expect(seqs).toEqual(seqs.map((_, index) => seqs[0]! + index)); // no gap, no duplicate

    const left = await new Promise<Record<string, unknown>>((resolve) => {
      socket.emit('session:leave', sessionId, (response: Record<string, unknown>) => resolve(response));
    });
    expect(left).toEqual({ success: true });
  });
});
