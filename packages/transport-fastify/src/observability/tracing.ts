import { context, propagation, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import type { BusEvent } from '@agent-runtime/session-engine';
import type { FastifyReply, FastifyRequest } from 'fastify';

const TRACER_NAME = '@agent-runtime/transport-fastify';

interface SessionSpans {
  /** Request contexts of accepted messages, oldest first: each parents the turn it starts. */
  pendingParents: Context[];
  turn?: Span;
  sandbox?: Span;
  tools: Map<string, Span>;
}

const REQUEST_SPAN = Symbol.for('agent-runtime.request-span');

/**
 * OpenTelemetry spans through `@opentelemetry/api` only: a no-op until the application registers
 * an SDK. A span per REST request (continuing a W3C `traceparent` when the caller sent one), a
 * span per turn (a child of the request that sent its message), per sandbox start
 * (create + restore, from `building-sandbox` to the next status) and per tool call (from its
 * `tool_use` block to its result) — all derived from the engine's events.
 */
export class Tracing {
  private readonly sessions = new Map<string, SessionSpans>();

  private get tracer() {
    return trace.getTracer(TRACER_NAME);
  }

  /** onRequest: a server span whose parent is the caller's `traceparent`, when given. */
  startRequest(request: FastifyRequest): void {
    const parent = propagation.extract(context.active(), request.headers);
    const route = request.routeOptions.url ?? request.url.split('?')[0];
    const span = this.tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': String(route) } },
      parent,
    );
    (request as unknown as Record<symbol, unknown>)[REQUEST_SPAN] = { span, context: trace.setSpan(parent, span) };
  }

  /** onResponse: ends the request's span with its status. */
  endRequest(request: FastifyRequest, reply: FastifyReply): void {
    const entry = (request as unknown as Record<symbol, { span: Span } | undefined>)[REQUEST_SPAN];
    if (!entry) return;
    entry.span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
    entry.span.end();
  }

  /** The message route accepted a message: the turn it starts becomes a child of this request. */
  messageAccepted(sessionId: string, request: FastifyRequest): void {
    const entry = (request as unknown as Record<symbol, { context: Context } | undefined>)[REQUEST_SPAN];
    if (!entry) return;
    const spans = this.spansOf(sessionId);
    spans.pendingParents.push(entry.context);
    if (spans.pendingParents.length > 100) spans.pendingParents.shift();
  }

  /** Follows the engine's events. */
  observe(event: BusEvent): void {
    const sessionId = event.sessionId;
    if (sessionId === undefined) return;
    switch (event.event) {
      case 'session:turn:start': {
        const spans = this.spansOf(sessionId);
        spans.turn?.end();
        const parent = spans.pendingParents.shift() ?? context.active();
        spans.turn = this.tracer.startSpan(
          'agent_runtime.turn',
          { attributes: { 'agent_runtime.session_id': sessionId, 'agent_runtime.turn_id': event.data.turnId } },
          parent,
        );
        break;
      }
      case 'session:turn:end': {
        const spans = this.sessions.get(sessionId);
        for (const tool of spans?.tools.values() ?? []) tool.end();
        spans?.tools.clear();
        if (spans?.turn) {
          spans.turn.setAttribute('agent_runtime.turn_outcome', event.data.outcome);
          if (event.data.outcome === 'error') spans.turn.setStatus({ code: SpanStatusCode.ERROR, message: event.data.error?.message ?? 'error' });
          spans.turn.end();
          spans.turn = undefined;
        }
        break;
      }
      case 'session:status': {
        const spans = this.spansOf(sessionId);
        if (event.data.status === 'building-sandbox') {
          spans.sandbox ??= this.tracer.startSpan('agent_runtime.sandbox.start', { attributes: { 'agent_runtime.session_id': sessionId } }, this.parentOf(spans));
        } else if (spans.sandbox) {
          if (event.data.status === 'failed') spans.sandbox.setStatus({ code: SpanStatusCode.ERROR });
          spans.sandbox.end();
          spans.sandbox = undefined;
        }
        if (event.data.status === 'completed') this.forget(sessionId);
        break;
      }
      case 'session:block:start': {
        const block = event.data.block;
        if (block.type !== 'tool_use') break;
        const spans = this.spansOf(sessionId);
        spans.tools.get(block.toolUseId)?.end();
        spans.tools.set(
          block.toolUseId,
          this.tracer.startSpan(
            `agent_runtime.tool ${block.toolName}`,
            { attributes: { 'agent_runtime.session_id': sessionId, 'agent_runtime.tool_name': block.toolName, 'agent_runtime.tool_use_id': block.toolUseId } },
            this.parentOf(spans),
          ),
        );
        break;
      }
      case 'session:block:complete': {
        const block = event.data.block;
        if (block.type !== 'tool_result') break;
        const spans = this.sessions.get(sessionId);
        const span = spans?.tools.get(block.toolUseId);
        if (!span) break;
        if (block.isError) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
        spans!.tools.delete(block.toolUseId);
        break;
      }
      default:
        break;
    }
  }

  /** Ends every open span (server shutdown). */
  close(): void {
    for (const sessionId of [...this.sessions.keys()]) this.forget(sessionId);
  }

  private parentOf(spans: SessionSpans): Context {
    return spans.turn ? trace.setSpan(context.active(), spans.turn) : context.active();
  }

  private spansOf(sessionId: string): SessionSpans {
    let spans = this.sessions.get(sessionId);
    if (!spans) {
      spans = { pendingParents: [], tools: new Map() };
      this.sessions.set(sessionId, spans);
    }
    return spans;
  }

  private forget(sessionId: string): void {
    const spans = this.sessions.get(sessionId);
    if (!spans) return;
    for (const tool of spans.tools.values()) tool.end();
    spans.turn?.end();
    spans.sandbox?.end();
    this.sessions.delete(sessionId);
  }
}
