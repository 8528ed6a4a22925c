import type { SessionListData } from '@agent-runtime/core';
import type { BusEvent } from '@agent-runtime/session-engine';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

const SESSION_STATUSES = ['pending', 'building-sandbox', 'active', 'inactive', 'completed', 'failed'] as const;

export interface MetricsSources {
  listSessions: () => SessionListData[];
  webSocketClients: () => number;
}

/**
 * The runtime's Prometheus metrics, all named `agent_runtime_*`, derived from the engine's events
 * (turns, blocks, statuses) and read at scrape time (sessions, sockets). Timings use the clock
 * passed in (`Date.now` by default) so tests can drive them.
 */
export class RuntimeMetrics {
  readonly registry: Registry;
  private readonly turnsTotal: Counter<'outcome'>;
  private readonly turnDuration: Histogram<'outcome'>;
  private readonly firstBlock: Histogram;
  private readonly sandboxStarts: Counter;
  private readonly sandboxFailures: Counter;
  private readonly eventsPublished: Counter<'event'>;
  private readonly eventLag: Histogram;
  /** sessionId -> start of the running turn, and whether its first block came yet. */
  private readonly turns = new Map<string, { startedAt: number; firstBlockSeen: boolean }>();
  private readonly buildingSandbox = new Set<string>();

  constructor(
    sources: MetricsSources,
    registry: Registry | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.registry = registry ?? new Registry();
    const registers = [this.registry];
    new Gauge({
      name: 'agent_runtime_sessions',
      help: 'Sessions by status.',
      labelNames: ['status'],
      registers,
      collect() {
        const counts = new Map<string, number>(SESSION_STATUSES.map((status) => [status, 0]));
        for (const session of sources.listSessions()) counts.set(session.status, (counts.get(session.status) ?? 0) + 1);
        for (const [status, count] of counts) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'agent_runtime_websocket_clients',
      help: 'Connected WebSocket clients.',
      registers,
      collect() {
        this.set(sources.webSocketClients());
      },
    });
    this.turnsTotal = new Counter({ name: 'agent_runtime_turns_total', help: 'Turns ended, by outcome.', labelNames: ['outcome'], registers });
    this.turnDuration = new Histogram({
      name: 'agent_runtime_turn_duration_seconds',
      help: 'Turn duration from session:turn:start to session:turn:end.',
      labelNames: ['outcome'],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    this.firstBlock = new Histogram({
      name: 'agent_runtime_time_to_first_block_seconds',
      help: "Time from a turn's start to its first block after the user's message.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    });
    this.sandboxStarts = new Counter({ name: 'agent_runtime_sandbox_starts_total', help: 'Sandboxes started (created and restored).', registers });
    this.sandboxFailures = new Counter({ name: 'agent_runtime_sandbox_failures_total', help: 'Sandbox starts that failed.', registers });
    this.eventsPublished = new Counter({ name: 'agent_runtime_events_published_total', help: 'Events published by the engine, by name.', labelNames: ['event'], registers });
    this.eventLag = new Histogram({
      name: 'agent_runtime_event_lag_seconds',
      help: 'Time from an event being published to its frame being written to a subscriber socket.',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
  }

  /** Follows the engine's events. */
  observe(event: BusEvent): void {
    this.eventsPublished.inc({ event: event.event });
    const sessionId = event.sessionId;
    if (sessionId === undefined) return;
    switch (event.event) {
      case 'session:turn:start':
        this.turns.set(sessionId, { startedAt: this.now(), firstBlockSeen: false });
        break;
      case 'session:block:start': {
        const turn = this.turns.get(sessionId);
        if (turn && !turn.firstBlockSeen && event.data.block.type !== 'user_message') {
          turn.firstBlockSeen = true;
          this.firstBlock.observe((this.now() - turn.startedAt) / 1000);
        }
        break;
      }
      case 'session:turn:end': {
        const turn = this.turns.get(sessionId);
        this.turns.delete(sessionId);
        const outcome = event.data.outcome;
        this.turnsTotal.inc({ outcome });
        const durationMs = event.data.durationMs ?? (turn ? this.now() - turn.startedAt : undefined);
        if (durationMs !== undefined) this.turnDuration.observe({ outcome }, durationMs / 1000);
        break;
      }
      case 'session:status':
        if (event.data.status === 'building-sandbox') this.buildingSandbox.add(sessionId);
        else if (this.buildingSandbox.delete(sessionId)) {
          if (event.data.status === 'failed') this.sandboxFailures.inc();
          else this.sandboxStarts.inc();
        }
        break;
      default:
        break;
    }
  }

  /** A frame published at `publishedAt` was handed to a subscriber's socket now. */
  observeLag(publishedAt: number): void {
    this.eventLag.observe(Math.max(0, this.now() - publishedAt) / 1000);
  }

  /** The Prometheus text exposition. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
