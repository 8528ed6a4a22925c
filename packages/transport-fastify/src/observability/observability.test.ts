import { propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createFakeSandboxProvider } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSocket, startTestServer, type TestServer } from '../test/index.js';
import { traceSandboxProvider } from './trace-sandbox-provider.js';

let server: TestServer;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

/** One sample value of the Prometheus text, e.g. `agent_runtime_turns_total{outcome="completed"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function metrics(): Promise<string> {
  const response = await fetch(`${server.baseUrl}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

beforeAll(async () => {
  // What an application does to turn the spans on; without it @opentelemetry/api is a no-op.
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
  trace.disable();
  propagation.disable();
});

async function runTurn(headers: Record<string, string> = {}): Promise<string> {
  const created = await fetch(`${server.baseUrl}/sessions/create`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' }),
  });
  const { sessionId } = (await created.json()) as { sessionId: string };
  const sent = await fetch(`${server.baseUrl}/sessions/${sessionId}/message`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ content: 'count me' }),
  });
  expect(sent.status).toBe(200);
  await server.engine.idle(sessionId);
  return sessionId;
}

describe('GET /metrics', () => {
  it('shows the turn counter, duration and first-block histograms move after a turn', async () => {
    const before = await metrics();
    const turnsBefore = sample(before, 'agent_runtime_turns_total{outcome="completed"}') ?? 0;
    await runTurn();
    const after = await metrics();
    expect(sample(after, 'agent_runtime_turns_total{outcome="completed"}')).toBe(turnsBefore + 1);
    expect(sample(after, 'agent_runtime_turn_duration_seconds_count{outcome="completed"}')).toBe(turnsBefore + 1);
    expect(sample(after, 'agent_runtime_time_to_first_block_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'agent_runtime_events_published_total{event="session:turn:end"}')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'agent_runtime_sessions{status="active"}')).toBeGreaterThanOrEqual(1);
    expect(after).toMatch(/^# TYPE agent_runtime_sandbox_starts_total counter$/m);
    expect(after).toMatch(/^# TYPE agent_runtime_sandbox_failures_total counter$/m);
    for (const line of after.split('\n').filter((candidate) => candidate && !candidate.startsWith('#'))) {
      expect(line).toMatch(/^agent_runtime_/);
    }
  });

  it('counts sandbox starts and failures from status changes, WebSocket clients and event lag', async () => {
    const { sessionId } = await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'gemini-cli' });
    const socket = await FrameSocket.connect(server.websocketUrl);
    await socket.join(sessionId);
    const before = await metrics();
    const starts = sample(before, 'agent_runtime_sandbox_starts_total') ?? 0;
    const failures = sample(before, 'agent_runtime_sandbox_failures_total') ?? 0;
    const lagCount = sample(before, 'agent_runtime_event_lag_seconds_count') ?? 0;
    server.engine.setStatus(sessionId, 'building-sandbox');
    server.engine.setStatus(sessionId, 'active');
    server.engine.setStatus(sessionId, 'building-sandbox');
    server.engine.setStatus(sessionId, 'failed');
    await socket.waitUntil(() => socket.sessionEvents(sessionId).filter((frame) => frame.event === 'session:status').length >= 4);
    const after = await metrics();
    expect(sample(after, 'agent_runtime_sandbox_starts_total')).toBe(starts + 1);
    expect(sample(after, 'agent_runtime_sandbox_failures_total')).toBe(failures + 1);
    expect(sample(after, 'agent_runtime_websocket_clients')).toBe(1);
    expect(sample(after, 'agent_runtime_event_lag_seconds_count')).toBeGreaterThanOrEqual(lagCount + 4);
    socket.terminate();
  });

  it('is behind authenticate unless metrics.public, and off with metrics: false', async () => {
    const guarded = await startTestServer({ authenticate: () => false });
    const open = await startTestServer({ authenticate: () => false, metrics: { public: true, path: '/prometheus' } });
    const off = await startTestServer({ metrics: false });
    try {
      expect((await fetch(`${guarded.baseUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${open.baseUrl}/prometheus`)).status).toBe(200);
      expect((await fetch(`${off.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await Promise.all([guarded.close(), open.close(), off.close()]);
    }
  });
});

describe('OpenTelemetry spans', () => {
  it('continues a W3C traceparent: the request span and the turn span it starts share its trace', async () => {
    exporter.reset();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentSpanId = '00f067aa0ba902b7';
    const sessionId = await runTurn({ traceparent: `00-${traceId}-${parentSpanId}-01` });
    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === 'POST /sessions/:sessionId/message');
    expect(request).toBeDefined();
    expect(request!.spanContext().traceId).toBe(traceId);
    expect(request!.parentSpanContext?.spanId).toBe(parentSpanId);
    const turn = spans.find((span) => span.name === 'agent_runtime.turn' && span.attributes['agent_runtime.session_id'] === sessionId);
    expect(turn).toBeDefined();
    expect(turn!.spanContext().traceId).toBe(traceId);
    expect(turn!.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);
    expect(turn!.attributes['agent_runtime.turn_outcome']).toBe('completed');
  });

  it('a span per tool call (tool_use -> tool_result) inside the turn, and per sandbox start', async () => {
    exporter.reset();
    const { sessionId } = await server.engine.createSession({ agentProfileRef: 'code-assistant', architecture: 'claude-agent-sdk' });
    const timestamp = new Date().toISOString();
    server.engine.setStatus(sessionId, 'building-sandbox');
    server.engine.setStatus(sessionId, 'active');
    server.engine.emit({ event: 'session:turn:start', data: { sessionId, turnId: 't-1' } });
    server.engine.emit({
      event: 'session:block:start',
      data: { sessionId, conversationId: 'main', block: { id: 'tu-1', type: 'tool_use', timestamp, toolName: 'Bash', toolUseId: 'toolu_1', input: { command: 'ls' }, status: 'running' } },
    });
    const result = { id: 'tr-1', type: 'tool_result' as const, timestamp, toolUseId: 'toolu_1', output: 'a.txt', isError: false };
    server.engine.emit({ event: 'session:block:start', data: { sessionId, conversationId: 'main', block: result } });
    server.engine.emit({ event: 'session:block:complete', data: { sessionId, conversationId: 'main', blockId: 'tr-1', block: result } });
    server.engine.emit({ event: 'session:turn:end', data: { sessionId, turnId: 't-1', outcome: 'completed' } });
    await server.engine.events.flushed(sessionId); // events reach listeners once the event log stored them
    const spans = exporter.getFinishedSpans();
    const turn = spans.find((span) => span.name === 'agent_runtime.turn' && span.attributes['agent_runtime.turn_id'] === 't-1')!;
    const tool = spans.find((span) => span.name === 'agent_runtime.tool Bash')!;
    expect(tool.attributes['agent_runtime.tool_use_id']).toBe('toolu_1');
    expect(tool.parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    expect(spans.some((span) => span.name === 'agent_runtime.sandbox.start' && span.attributes['agent_runtime.session_id'] === sessionId)).toBe(true);
  });

  it('traceSandboxProvider: a span per create (error status on failure); everything else is the provider', async () => {
    exporter.reset();
    const provider = createFakeSandboxProvider();
    const traced = traceSandboxProvider(provider);
    expect(traced.name).toBe(provider.name);
    const sandbox = await traced.create({ sessionId: 's-traced' });
    provider.failNextCreate(new Error('no capacity'));
    await expect(traced.create({ sessionId: 's-failing' })).rejects.toThrow('no capacity');
    const spans = exporter.getFinishedSpans().filter((span) => span.name === 'agent_runtime.sandbox.create');
    expect(spans.map((span) => span.attributes['agent_runtime.session_id'])).toEqual(['s-traced', 's-failing']);
    expect(spans[0]!.attributes['agent_runtime.sandbox_id']).toBe(sandbox.id);
    expect(spans[1]!.status).toMatchObject({ code: 2, message: 'no capacity' });
    expect((traced as unknown as { sandboxes: unknown[] }).sandboxes).toBe(provider.sandboxes);
  });
});
