import { noopLogger } from '@agent-runtime/core';
import { createFakeSessionEngine } from '@agent-runtime/transport-fastify/test';
import type { Server, Socket } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { resolveSocketIoOptions } from './options.js';
import { SocketIoBridge } from './socketio-bridge.js';

/** A stand-in for a Socket.IO socket: records emits, exposes the engine's write buffer. */
function fakeSocket(id: string) {
  const handlers = new Map<string, (...args: unknown[]) => void>();
  const emitted: { event: string; args: unknown[] }[] = [];
  const socket = {
    id,
    connected: true,
    conn: { writeBuffer: [] as unknown[] },
    disconnected: false,
    on: (event: string, handler: (...args: unknown[]) => void) => handlers.set(event, handler),
    emit: (event: string, ...args: unknown[]) => emitted.push({ event, args }),
    disconnect: () => {
      socket.disconnected = true;
      handlers.get('disconnect')?.();
    },
  };
  const call = (event: string, ...args: unknown[]) => handlers.get(event)!(...args);
  return { socket, emitted, call };
}

describe('SocketIoBridge', () => {
  it('disconnects a client whose engine write buffer passed maxBufferedPackets; others keep receiving', async () => {
    const engine = createFakeSessionEngine();
    const bridge = new SocketIoBridge({ emit: () => true } as unknown as Server, engine, resolveSocketIoOptions({ maxBufferedPackets: 3 }), noopLogger);
    bridge.start();
    const { sessionId } = await engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const slow = fakeSocket('slow');
    const fast = fakeSocket('fast');
    for (const client of [slow, fast]) {
      bridge.accept(client.socket as unknown as Socket, undefined);
      const acked = new Promise((resolve) => client.call('session:join', sessionId, resolve));
      expect(await acked).toMatchObject({ success: true });
    }
    slow.socket.conn.writeBuffer.push(1, 2, 3, 4); // the client stopped reading
    engine.streamDeltas(sessionId, 2);
    await engine.events.flushed(sessionId); // delivery follows the event log's append
    expect(slow.socket.disconnected).toBe(true);
    expect(slow.emitted.filter((item) => item.event === 'session:block:delta')).toHaveLength(0);
    expect(fast.emitted.filter((item) => item.event === 'session:block:delta')).toHaveLength(2);
    expect(bridge.clientCount).toBe(1);
    bridge.stop();
  });

  it('holds live events while a (slow, async) replay is read, then sends replay + held events once each, in seq order', async () => {
    const engine = createFakeSessionEngine();
    const bridge = new SocketIoBridge({ emit: () => true } as unknown as Server, engine, resolveSocketIoOptions(), noopLogger);
    bridge.start();
    const { sessionId } = await engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    await new Promise((resolve) => setImmediate(resolve));
    const since = engine.events.latestSeq(sessionId);
    engine.streamDeltas(sessionId, 3); // missed by the client
    const realReplay = engine.events.replay.bind(engine.events);
    let finishReplay: () => void = () => {};
    const replayRead = new Promise<void>((resolve) => (finishReplay = resolve));
    (engine.events as { replay: unknown }).replay = async (id: string, after: number) => {
      const result = realReplay(id, after); // what the log held when the read started
      await replayRead;
      return result;
    };
    const client = fakeSocket('c');
    bridge.accept(client.socket as unknown as Socket, undefined);
    const acked = new Promise<Record<string, unknown>>((resolve) => client.call('session:join', sessionId, { since }, resolve));
    await new Promise((resolve) => setImmediate(resolve)); // the join is now reading the replay
    engine.streamDeltas(sessionId, 2); // live, during the read
    expect(client.emitted.filter((item) => item.event === 'session:block:delta')).toHaveLength(0);
    finishReplay();
    expect(await acked).toMatchObject({ success: true });
    await new Promise((resolve) => setImmediate(resolve));
    const seqs = client.emitted.filter((item) => item.args[1] !== undefined).map((item) => (item.args[1] as { seq: number }).seq);
    expect(seqs).toEqual(Array.from({ length: engine.events.latestSeq(sessionId) - since }, (_, index) => since + 1 + index));
    expect(client.emitted.at(-1)?.event).toBe('session:status'); // the current status comes last, without seq
    bridge.stop();
  });
});
