import type { RuntimeSessionData } from '@agent-runtime/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket, FakeWebSocketConstructor } from './testing/fake-websocket.js';
import { AgentRuntimeSocket, type AgentRuntimeSocketOptions, type ClientErrorReport, type ServerEventFrame } from './socket.js';

const sessionId = 's-1';

function delta(seq: number, text = `d${seq}`): Record<string, unknown> {
  return { event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'b', delta: text }, seq };
}

function snapshot(lastEventSeq: number): RuntimeSessionData {
  return { sessionId, type: 'claude-agent-sdk', agentProfileReference: 'p', status: 'active', blocks: [], subagents: [], workspaceFiles: [], lastEventSeq } as RuntimeSessionData;
}

/** A socket on a FakeWebSocket, opened, with `sessionId` joined at `latestSeq`. */
async function joined(options: Partial<AgentRuntimeSocketOptions> = {}, latestSeq = 10) {
  const logger = { error: vi.fn() };
  const socket = new AgentRuntimeSocket({ url: 'ws://runtime/', WebSocket: FakeWebSocketConstructor, logger, ...options });
  const events: ServerEventFrame[] = [];
  const reports: ClientErrorReport[] = [];
  socket.onAny((event) => events.push(event));
  const join = socket.join(sessionId);
  await vi.advanceTimersByTimeAsync(0); // token lookup
  const server = FakeWebSocket.latest;
  server.open();
  expect(server.sent.at(-1)).toMatchObject({ event: 'session:join', args: [sessionId] });
  server.answerLast({ success: true, latestSeq, replayed: 0 });
  await join;
  const seqs = () => events.filter((event) => event.seq !== undefined).map((event) => event.seq);
  return { socket, server, events, seqs, reports, logger, listenForReports: () => socket.on('client:error', (report) => reports.push(report)) };
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('malformed frames', () => {
  it('are reported on client:error and dropped; the state after them is untouched', async () => {
    const { socket, server, seqs, reports, listenForReports, logger } = await joined();
    listenForReports();
    const deltas: string[] = [];
    socket.on('session:block:delta', (data) => deltas.push(data.delta));
    server.receive(delta(11));
    server.receive('not json {');
    server.receive('[1,2]');
    server.receive({ event: 'session:block:delta', data: { sessionId, conversationId: 'main', blockId: 'b', delta: 42 }, seq: 12 });
    server.receive({ event: 'session:status', data: { sessionId, status: 'sleepy' }, seq: 12 });
    server.receive({ event: 'session:block:delta', data: {}, seq: 'twelve' });
    server.receive({ ack: 99, result: { success: 'maybe' } });
    server.receive(delta(12));
    expect(deltas).toEqual(['d11', 'd12']);
    expect(seqs()).toEqual([11, 12]);
    expect(socket.lastSeq(sessionId)).toBe(12);
    expect(reports.map((report) => report.code)).toEqual(Array(6).fill('INVALID_FRAME'));
    expect(reports[2]).toMatchObject({ event: 'session:block:delta', sessionId, issues: [{ path: 'delta' }] });
    expect(reports[0]!.frame).toBe('not json {');
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('are logged when nobody listens to client:error', async () => {
    const { server, logger } = await joined();
    server.receive('{"event":');
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'INVALID_FRAME' }), 'A server frame is not JSON.');
  });

  it('an event this client does not know passes through unchecked (a newer server)', async () => {
    const { server, events, reports, listenForReports } = await joined();
    listenForReports();
    server.receive({ event: 'session:future:thing', data: { sessionId, x: 1 }, seq: 11 });
    expect(events.at(-1)).toMatchObject({ event: 'session:future:thing', seq: 11 });
    expect(reports).toEqual([]);
  });
});

describe('throwing handlers', () => {
  it('do not stop the other handlers, and are reported with the event and session', async () => {
    const { socket, server, events, reports, listenForReports } = await joined();
    listenForReports();
    const seen: string[] = [];
    socket.on('session:block:delta', () => {
      throw new Error('render failed');
    });
    socket.on('session:block:delta', (data) => seen.push(data.delta));
    socket.onAny(() => {
      throw new Error('fold failed');
    });
    server.receive(delta(11));
    server.receive(delta(12));
    expect(seen).toEqual(['d11', 'd12']);
    expect(events.map((event) => event.seq)).toEqual([11, 12]);
    expect(reports).toHaveLength(4);
    expect(reports[0]).toMatchObject({ code: 'HANDLER_FAILED', event: 'session:block:delta', sessionId, cause: expect.objectContaining({ message: 'render failed' }) });
    expect(reports[1]).toMatchObject({ code: 'HANDLER_FAILED', cause: expect.objectContaining({ message: 'fold failed' }) });
  });

  it('are logged when nobody listens, and a throwing client:error listener is logged too', async () => {
    const { socket, server, logger } = await joined();
    socket.on('connection:close', () => {
      throw new Error('close handler');
    });
    server.close(1006, 'gone');
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'HANDLER_FAILED', event: 'connection:close' }), expect.stringContaining('close handler'));
    logger.error.mockClear();
    socket.on('client:error', () => {
      throw new Error('reporter broke');
    });
    socket.on('connection:open', () => {
      throw new Error('open handler');
    });
    await vi.advanceTimersByTimeAsync(10_000);
    FakeWebSocket.latest.open();
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ code: 'HANDLER_FAILED', event: 'connection:open' }), expect.any(String));
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ event: 'client:error' }), 'a client:error handler threw');
    socket.close();
  });
});

describe('sequence numbers and resync', () => {
  it('a seq that goes backwards after the join (a restarted server) reloads the session instead of dropping everything', async () => {
    let reload: ((session: RuntimeSessionData) => void) | undefined;
    const loadSession = vi.fn(() => new Promise<RuntimeSessionData>((resolve) => (reload = resolve)));
    const { socket, server, events, seqs } = await joined({ loadSession });
    const resynced: number[] = [];
    socket.on('session:resynced', ({ session }) => resynced.push(session.lastEventSeq ?? -1));
    server.receive(delta(11));
    server.receive(delta(12));
    // The runtime restarted and numbers from 1 again.
    server.receive(delta(1, 'new-1'));
    server.receive(delta(2, 'new-2'));
    expect(events.at(-1)).toMatchObject({ event: 'session:resync', data: { sessionId, reason: expect.stringContaining('backwards') } });
    expect(loadSession).toHaveBeenCalledWith(sessionId);
    reload!(snapshot(1)); // the snapshot already holds seq 1
    await vi.advanceTimersByTimeAsync(0);
    expect(resynced).toEqual([1]);
    server.receive(delta(3, 'new-3'));
    expect(seqs()).toEqual([11, 12, 2, 3]);
    expect(socket.lastSeq(sessionId)).toBe(3);
  });

  it('without a lastEventSeq in the snapshot, goes on from just before the event that showed the restart', async () => {
    const { server, seqs } = await joined({ loadSession: async () => ({ ...snapshot(0), lastEventSeq: undefined }) as unknown as RuntimeSessionData });
    server.receive(delta(11));
    server.receive(delta(1));
    await vi.advanceTimersByTimeAsync(0);
    server.receive(delta(2));
    expect(seqs()).toEqual([11, 1, 2]);
  });

  it('session:resync from the server: reload, events meanwhile are buffered and only newer ones delivered', async () => {
    let reload: ((session: RuntimeSessionData) => void) | undefined;
    const { socket, server, seqs } = await joined({ loadSession: () => new Promise((resolve) => (reload = resolve)) });
    const resyncs: string[] = [];
    socket.on('session:resync', ({ reason }) => resyncs.push(reason));
    server.receive({ event: 'session:resync', data: { sessionId, latestSeq: 40, reason: 'window' } });
    server.receive(delta(41));
    server.receive(delta(42));
    expect(seqs()).toEqual([]);
    reload!(snapshot(41));
    await vi.advanceTimersByTimeAsync(0);
    expect(resyncs).toEqual(['window']);
    expect(seqs()).toEqual([42]);
  });

  it('a join ack whose latestSeq is below the since it was sent with (and no resync said) reloads', async () => {
    const loadSession = vi.fn(async () => snapshot(3));
    const { server, seqs } = await joined({ loadSession, reconnect: { initialDelayMs: 100 } });
    server.receive(delta(11));
    server.close(1006, 'restart');
    await vi.advanceTimersByTimeAsync(100);
    const next = FakeWebSocket.latest;
    expect(next).not.toBe(server);
    next.open();
    expect(next.sent.at(-1)).toMatchObject({ event: 'session:join', args: [sessionId, { since: 11 }] });
    next.answerLast({ success: true, latestSeq: 3, replayed: 0 });
    await vi.advanceTimersByTimeAsync(0);
    expect(loadSession).toHaveBeenCalledTimes(1);
    next.receive(delta(4));
    expect(seqs()).toEqual([11, 4]);
  });

  it('frames of an earlier subscription that arrive before the join ack are duplicates, not a restart', async () => {
    const loadSession = vi.fn(async () => snapshot(0));
    const socket = new AgentRuntimeSocket({ url: 'ws://runtime/', WebSocket: FakeWebSocketConstructor, loadSession });
    const seqs: number[] = [];
    socket.onAny((event) => event.seq !== undefined && seqs.push(event.seq));
    const join = socket.join(sessionId, { since: 20 });
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.latest.open();
    FakeWebSocket.latest.receive(delta(19)); // still in flight from before
    FakeWebSocket.latest.answerLast({ success: true, latestSeq: 20, replayed: 0 });
    await join;
    FakeWebSocket.latest.receive(delta(21));
    expect(seqs).toEqual([21]);
    expect(loadSession).not.toHaveBeenCalled();
  });

  it('a failed reload is reported (RESYNC_FAILED and an error event) and the stream goes on', async () => {
    const { socket, server, reports, listenForReports, seqs } = await joined({
      loadSession: async () => {
        throw new Error('offline');
      },
    });
    listenForReports();
    const errors: string[] = [];
    socket.on('error', (data) => errors.push(data.code ?? ''));
    server.receive({ event: 'session:resync', data: { sessionId, latestSeq: 30, reason: 'window' } });
    await vi.advanceTimersByTimeAsync(0);
    expect(reports).toMatchObject([{ code: 'RESYNC_FAILED', sessionId }]);
    expect(errors).toEqual(['RESYNC_REQUIRED']);
    server.receive(delta(31));
    expect(seqs()).toEqual([31]);
  });
});

describe('connection', () => {
  it('reconnects with doubling backoff and re-joins with since', async () => {
    const { socket, server } = await joined({ reconnect: { initialDelayMs: 100, maxDelayMs: 1000 } });
    server.receive(delta(11));
    server.close(1006, 'network');
    expect(socket.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(49); // jitter keeps the first delay in [50, 100)
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(51);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.latest.close(1006, 'still down'); // never opened: the next delay doubles
    await vi.advanceTimersByTimeAsync(99);
    expect(FakeWebSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(101);
    expect(FakeWebSocket.instances).toHaveLength(3);
    FakeWebSocket.latest.open();
    expect(FakeWebSocket.latest.sent).toEqual([{ event: 'session:join', args: [sessionId, { since: 11 }], ack: expect.any(Number) }]);
    socket.close();
    expect(socket.state).toBe('closed');
  });

  it('an ack that never comes fails the join with TIMEOUT', async () => {
    const socket = new AgentRuntimeSocket({ url: 'ws://runtime/', WebSocket: FakeWebSocketConstructor, ackTimeoutMs: 5000 });
    const join = socket.join(sessionId);
    const failed = join.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.latest.open();
    await vi.advanceTimersByTimeAsync(4999);
    await vi.advanceTimersByTimeAsync(1);
    expect(await failed).toMatchObject({ code: 'TIMEOUT' });
  });

  it('puts the current token in ?access_token= of every connection', async () => {
    let token = 'first';
    const socket = new AgentRuntimeSocket({ url: 'ws://runtime/ws?x=1', WebSocket: FakeWebSocketConstructor, token: async () => token, reconnect: { initialDelayMs: 10 } });
    void socket.connect();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.latest.url).toBe('ws://runtime/ws?x=1&access_token=first');
    FakeWebSocket.latest.open();
    token = 'a b&c';
    FakeWebSocket.latest.close(1006, '');
    await vi.advanceTimersByTimeAsync(10);
    expect(FakeWebSocket.latest.url).toBe('ws://runtime/ws?x=1&access_token=a%20b%26c');
    socket.close();
  });
});
