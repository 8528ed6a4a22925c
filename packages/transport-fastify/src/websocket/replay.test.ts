import { afterEach, describe, expect, it } from 'vitest';
import { FrameSocket, startTestServer, type TestServer } from '../test/index.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  const { sessionId } = await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
  await new Promise((resolve) => setImmediate(resolve));
  return { server, sessionId };
}

const seqsOf = (socket: FrameSocket, sessionId: string) => socket.sessionEvents(sessionId).map((frame) => frame.seq!);

describe('reconnect with since', () => {
  it('replays exactly the missed events, then live ones: no gap, no duplicate', async () => {
    const { server, sessionId } = await setup();
    const first = await FrameSocket.connect(server.websocketUrl);
    const joined = await first.join(sessionId);
    const startSeq = joined.latestSeq as number;
    server.engine.streamDeltas(sessionId, 50, { blockId: 'b' });
    await first.waitUntil(() => first.sessionEvents(sessionId).length === 51);
    first.terminate();
    await first.closed();
    server.engine.streamDeltas(sessionId, 70, { blockId: 'b' }); // missed while away
    const lastSeen = Math.max(...seqsOf(first, sessionId));
    const second = await FrameSocket.connect(server.websocketUrl);
    const rejoined = await second.join(sessionId, lastSeen);
    expect(rejoined).toMatchObject({ success: true, replayed: 70, latestSeq: lastSeen + 70 });
    server.engine.streamDeltas(sessionId, 30, { blockId: 'b' }); // live again
    await second.waitUntil(() => second.sessionEvents(sessionId).length === 100);
    const all = [...seqsOf(first, sessionId), ...seqsOf(second, sessionId)];
    expect(all).toEqual(Array.from({ length: 151 }, (_, index) => startSeq + 1 + index));
    second.terminate();
  });

  it('drop mid-stream while the engine keeps emitting asynchronously: the union is exactly 1..N', async () => {
    const { server, sessionId } = await setup();
    const total = 600;
    const first = await FrameSocket.connect(server.websocketUrl);
    await first.join(sessionId, server.engine.events.latestSeq(sessionId));
    const base = server.engine.events.latestSeq(sessionId);
    let emitted = 0;
    const producer = (async () => {
      while (emitted < total) {
        server.engine.streamDeltas(sessionId, 3, { blockId: 'stream' });
        emitted += 3;
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await first.waitUntil(() => first.sessionEvents(sessionId).length >= 100);
    first.terminate(); // dropped mid-stream
    await first.closed();
    const seen = seqsOf(first, sessionId);
    const second = await FrameSocket.connect(server.websocketUrl);
    await second.join(sessionId, Math.max(...seen));
    await producer;
    const expectedLast = server.engine.events.latestSeq(sessionId);
    await second.waitUntil(() => seqsOf(second, sessionId).at(-1) === expectedLast);
    const union = [...seen, ...seqsOf(second, sessionId)];
    expect(union.length).toBe(expectedLast - base);
    expect(union).toEqual(Array.from({ length: expectedLast - base }, (_, index) => base + 1 + index));
    expect(emitted).toBeGreaterThan(100);
    second.terminate();
  });

  it('since == latest replays nothing; a join again on the same socket sends no duplicates', async () => {
    const { server, sessionId } = await setup();
    const socket = await FrameSocket.connect(server.websocketUrl);
    const latest = server.engine.events.latestSeq(sessionId);
    expect(await socket.join(sessionId, latest)).toMatchObject({ replayed: 0 });
    server.engine.streamDeltas(sessionId, 5);
    await socket.waitUntil(() => socket.sessionEvents(sessionId).length === 6);
    await socket.join(sessionId);
    server.engine.streamDeltas(sessionId, 1);
    await socket.waitUntil(() => socket.sessionEvents(sessionId).length === 8);
    await socket.join(sessionId);
    const seqs = seqsOf(socket, sessionId);
    expect(new Set(seqs).size).toBe(seqs.length);
    socket.terminate();
  });
});

describe('resync', () => {
  it('when the gap left the replay window: ack says resync and session:resync follows', async () => {
    const { server, sessionId } = await setup({ engineOptions: { replayWindow: 20 } });
    server.engine.streamDeltas(sessionId, 100);
    const socket = await FrameSocket.connect(server.websocketUrl);
    const latestSeq = server.engine.events.latestSeq(sessionId);
    const result = await socket.join(sessionId, 3);
    expect(result).toEqual({ success: true, resync: true, latestSeq, replayed: 0 });
    const resync = await socket.waitForFrame((frame) => frame.event === 'session:resync');
    expect(resync.data).toEqual({ sessionId, latestSeq, reason: expect.stringMatching(/replay window/) });
    // After resync the client is subscribed from latestSeq on.
    server.engine.streamDeltas(sessionId, 1);
    await socket.waitUntil(() => socket.sessionEvents(sessionId).some((frame) => frame.seq === latestSeq + 1));
    socket.terminate();
  });

  it('when the client is ahead of the server (server restarted) and when the gap exceeds replay.maxEvents', async () => {
    const { server, sessionId } = await setup({ replay: { maxEvents: 10 } });
    server.engine.streamDeltas(sessionId, 30);
    const socket = await FrameSocket.connect(server.websocketUrl);
    expect(await socket.join(sessionId, 100_000)).toMatchObject({ resync: true });
    const latest = server.engine.events.latestSeq(sessionId);
    expect(await socket.join(sessionId, latest - 20)).toMatchObject({ resync: true });
    expect(await socket.join(sessionId, latest - 5)).toMatchObject({ replayed: 5 });
    socket.terminate();
  });
});
