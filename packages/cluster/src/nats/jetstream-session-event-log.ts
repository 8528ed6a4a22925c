import { type AnyServerEvent, leaseLostError, type LoggedSessionEvent, type SessionEventLog, type SessionEventLogBounds } from '@agent-runtime/core';
import { DeliverPolicy, type JetStreamClient, JetStreamApiError, type JetStreamManager, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { checkedSubjectPrefix, subjectToken } from '../subject-token.js';
import { type FollowSessionEventsOptions, followSessionEvents, type SessionEventFollower } from './follow-session-events.js';
import { checkedSeq } from './checked-seq.js';
import { type FollowAllSessionEventsOptions, followAllSessionEvents } from './follow-all-session-events.js';

/** The header that carries the protocol's per-session `seq` on every stored event. */
export const SEQ_HEADER = 'Agent-Runtime-Seq';
/** The header that carries the writer's fencing token, when the log was given `fencingTokenOf`. */
export const FENCING_TOKEN_HEADER = 'Agent-Runtime-Fencing-Token';
const WRONG_LAST_SEQUENCE = 10071;

export interface JetStreamSessionEventLogOptions {
  connection: NatsConnection;
  /** Stream holding every session's events (default `AGENT_RUNTIME_EVENTS`). */
  streamName?: string;
  /** Subjects are `<prefix>.events.<sessionId>` and `<prefix>.trim.<sessionId>` (default `agent-runtime`). */
  subjectPrefix?: string;
  /** Stream replicas when the stream is created (default 1; 3 on a NATS cluster). */
  replicas?: number;
  /** How often an append retries after another writer moved the subject (default 5). */
  maxConflictRetries?: number;
  /**
   * The fencing token of this node's lease on a session (`SessionLease.fencingToken`), or
   * undefined when it holds none. When given, every event carries it, and an append that finds a
   * newer token on the session's last event is refused with `LEASE_LOST`: a node that lost the
   * session cannot append after its successor.
   */
  fencingTokenOf?: (sessionId: string) => number | undefined;
}

interface SubjectState {
  latestSeq: number;
  /** Fencing token on the session's last stored event (0 when none). */
  lastToken: number;
  /** Stream sequence of the session's last stored event (0 when the subject holds none). */
  lastStreamSeq: number;
}

interface TrimMarker {
  oldestSeq: number;
  latestSeq: number;
}

/**
 * `SessionEventLog` on NATS JetStream: one stream, a subject per session, the per-session `seq` in a
 * header. Each event is published with `expectedLastSubjectSequence` set to the stream sequence of
 * the session's previous event, so two writers can never give out one `seq` twice or leave a gap
 * (the loser re-reads the subject and renumbers). Trims are kept in a rolled-up marker subject so
 * `latestSeq` never goes down, even when every event was trimmed.
 */
export class JetStreamSessionEventLog implements SessionEventLog {
  readonly streamName: string;
  private readonly prefix: string;
  private readonly connection: NatsConnection;
  private readonly js: JetStreamClient;
  private readonly replicas: number;
  private readonly maxConflictRetries: number;
  private readonly fencingTokenOf: ((sessionId: string) => number | undefined) | undefined;
  private manager: Promise<JetStreamManager> | undefined;
  private readonly states = new Map<string, SubjectState>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(options: JetStreamSessionEventLogOptions) {
    this.connection = options.connection;
    this.streamName = options.streamName ?? 'AGENT_RUNTIME_EVENTS';
    this.prefix = checkedSubjectPrefix(options.subjectPrefix ?? 'agent-runtime');
    this.replicas = options.replicas ?? 1;
    this.maxConflictRetries = options.maxConflictRetries ?? 5;
    this.fencingTokenOf = options.fencingTokenOf;
    this.js = jetstream(this.connection);
  }

  /** The subject of a session's events (what a live subscriber filters on). */
  eventSubject(sessionId: string): string {
    return `${this.prefix}.events.${subjectToken(sessionId, 'sessionId')}`;
  }

  private trimSubject(sessionId: string): string {
    return `${this.prefix}.trim.${subjectToken(sessionId, 'sessionId')}`;
  }

  /** Create the stream if it does not exist (every call does this lazily; call it to fail early). */
  ensureStream(): Promise<JetStreamManager> {
    this.manager ??= (async () => {
      const manager = await jetstreamManager(this.connection);
      const subjects = [`${this.prefix}.events.*`, `${this.prefix}.trim.*`];
      try {
        await manager.streams.info(this.streamName);
      } catch (error) {
        if (!(error instanceof JetStreamApiError) || error.status !== 404) throw error;
        await manager.streams.add({ name: this.streamName, subjects, storage: StorageType.File, num_replicas: this.replicas, allow_rollup_hdrs: true });
      }
      return manager;
    })().catch((error: unknown) => {
      this.manager = undefined;
      throw error;
    });
    return this.manager;
  }

  /** Delete the whole stream, every session's events (tests and benchmarks clean up with it). */
  async deleteStream(): Promise<void> {
    const manager = await this.ensureStream();
    this.manager = undefined;
    this.states.clear();
    await manager.streams.delete(this.streamName);
  }

  /** Run `work` after every earlier call for the same session on this node (appends are numbered in call order). */
  private serially<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(sessionId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.chains.set(sessionId, settled);
    void settled.then(() => {
      if (this.chains.get(sessionId) === settled) this.chains.delete(sessionId);
    });
    return next;
  }

  private async trimMarker(sessionId: string): Promise<TrimMarker | undefined> {
    const manager = await this.ensureStream();
    const stored = await manager.streams.getMessage(this.streamName, { last_by_subj: this.trimSubject(sessionId) });
    return stored ? (stored.json() as TrimMarker) : undefined;
  }

  private async freshState(sessionId: string): Promise<SubjectState & { marker: TrimMarker | undefined }> {
    const manager = await this.ensureStream();
    const [last, marker] = await Promise.all([
      manager.streams.getMessage(this.streamName, { last_by_subj: this.eventSubject(sessionId) }),
      this.trimMarker(sessionId),
    ]);
    const lastSeq = last ? Number(last.header.get(SEQ_HEADER)) : 0;
    const lastToken = Number(last?.header.get(FENCING_TOKEN_HEADER) || 0);
    return { latestSeq: Math.max(lastSeq, marker?.latestSeq ?? 0), lastToken, lastStreamSeq: last?.seq ?? 0, marker };
  }

  async append(sessionId: string, events: readonly AnyServerEvent[]): Promise<LoggedSessionEvent[]> {
    const subject = this.eventSubject(sessionId);
    if (events.length === 0) return [];
    return this.serially(sessionId, async () => {
      const logged: LoggedSessionEvent[] = [];
      for (const event of events) logged.push(await this.appendOne(sessionId, subject, event));
      return logged;
    });
  }

  private async appendOne(sessionId: string, subject: string, event: AnyServerEvent): Promise<LoggedSessionEvent> {
    const payload = JSON.stringify(event);
    for (let attempt = 0; ; attempt += 1) {
      const state = this.states.get(sessionId) ?? (await this.freshState(sessionId));
      const seq = state.latestSeq + 1;
      const token = this.fencingTokenOf?.(sessionId);
      if (token !== undefined && state.lastToken > token) throw leaseLostError(sessionId, token, state.lastToken);
      const header = headers();
      header.set(SEQ_HEADER, String(seq));
      if (token !== undefined) header.set(FENCING_TOKEN_HEADER, String(token));
      try {
        const ack = await this.js.publish(subject, payload, { headers: header, expect: { lastSubjectSequence: state.lastStreamSeq } });
        this.states.set(sessionId, { latestSeq: seq, lastToken: token ?? 0, lastStreamSeq: ack.seq });
        return { sessionId, seq, event };
      } catch (error) {
        this.states.delete(sessionId);
        const conflict = error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE;
        if (!conflict || attempt >= this.maxConflictRetries) throw error;
      }
    }
  }

  /** Receive every session's events stored from now on, on any node (see `followAllSessionEvents`). */
  followAll(options: FollowAllSessionEventsOptions): SessionEventFollower {
    return followAllSessionEvents(this.js, this.streamName, this.prefix, options);
  }

  /** Receive the session's events live, on any node, from `afterSeq` on (see `followSessionEvents`). */
  follow(sessionId: string, options: FollowSessionEventsOptions): SessionEventFollower {
    return followSessionEvents(this.js, this.streamName, this.eventSubject(sessionId), sessionId, options);
  }

  async read(sessionId: string, afterSeq: number, limit?: number): Promise<LoggedSessionEvent[]> {
    checkedSeq(afterSeq, 'afterSeq');
    if (limit !== undefined) checkedSeq(limit, 'limit');
    const events: LoggedSessionEvent[] = [];
    if (limit !== undefined && limit <= 0) return events;
    const { lastStreamSeq, marker } = await this.freshState(sessionId);
    const floor = Math.max(afterSeq, (marker?.oldestSeq ?? 1) - 1);
    await this.scan(sessionId, lastStreamSeq, (event) => {
      if (event.seq > floor) events.push(event);
      return limit !== undefined && events.length >= limit;
    });
    return events;
  }

  /** Visit the session's stored events in order up to stream sequence `untilStreamSeq`; stop when `visit` returns true. */
  private async scan(sessionId: string, untilStreamSeq: number, visit: (event: LoggedSessionEvent, streamSeq: number) => boolean): Promise<void> {
    if (untilStreamSeq === 0) return;
    const consumer = await this.js.consumers.get(this.streamName, { filter_subjects: this.eventSubject(sessionId), deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume({ max_messages: 256 });
    try {
      for await (const message of messages) {
        const event = { sessionId, seq: Number(message.headers?.get(SEQ_HEADER)), event: message.json<AnyServerEvent>() };
        if (visit(event, message.seq) || message.seq >= untilStreamSeq) break;
      }
    } finally {
      await messages.close().catch(() => undefined);
    }
  }

  async bounds(sessionId: string): Promise<SessionEventLogBounds> {
    const { latestSeq, marker } = await this.freshState(sessionId);
    return { oldestSeq: Math.min(marker?.oldestSeq ?? 1, latestSeq + 1), latestSeq };
  }

  async trim(sessionId: string, uptoSeq: number): Promise<void> {
    checkedSeq(uptoSeq, 'uptoSeq');
    return this.serially(sessionId, async () => {
      const manager = await this.ensureStream();
      const { latestSeq, lastStreamSeq, marker } = await this.freshState(sessionId);
      const oldestSeq = Math.min(uptoSeq, latestSeq) + 1;
      if (oldestSeq <= (marker?.oldestSeq ?? 1)) return;
      await this.writeMarker(sessionId, { oldestSeq, latestSeq });
      let firstKept = 0;
      await this.scan(sessionId, lastStreamSeq, (event, streamSeq) => {
        if (event.seq >= oldestSeq) firstKept = streamSeq;
        return firstKept !== 0;
      });
      const subject = this.eventSubject(sessionId);
      await manager.streams.purge(this.streamName, firstKept === 0 ? { filter: subject } : { filter: subject, seq: firstKept });
      this.states.delete(sessionId);
    });
  }

  /**
   * Delete single events (e.g. deltas whose block completed). When the newest event goes, the trim
   * marker records `latestSeq` first, so numbering never goes back.
   */
  async discard(sessionId: string, seqs: readonly number[]): Promise<void> {
    for (const seq of seqs) checkedSeq(seq, 'seqs');
    if (seqs.length === 0) return;
    const wanted = new Set(seqs);
    return this.serially(sessionId, async () => {
      const manager = await this.ensureStream();
      const { latestSeq, lastStreamSeq, marker } = await this.freshState(sessionId);
      if (wanted.has(latestSeq)) await this.writeMarker(sessionId, { oldestSeq: marker?.oldestSeq ?? 1, latestSeq });
      const streamSeqs: number[] = [];
      await this.scan(sessionId, lastStreamSeq, (event, streamSeq) => {
        if (wanted.has(event.seq)) streamSeqs.push(streamSeq);
        return streamSeqs.length === wanted.size;
      });
      for (const streamSeq of streamSeqs) await manager.streams.deleteMessage(this.streamName, streamSeq, false);
      this.states.delete(sessionId);
    });
  }

  private async writeMarker(sessionId: string, marker: TrimMarker): Promise<void> {
    const header = headers();
    header.set('Nats-Rollup', 'sub');
    await this.js.publish(this.trimSubject(sessionId), JSON.stringify(marker), { headers: header });
  }

  async forget(sessionId: string): Promise<void> {
    return this.serially(sessionId, async () => {
      const manager = await this.ensureStream();
      await manager.streams.purge(this.streamName, { filter: this.eventSubject(sessionId) });
      await manager.streams.purge(this.streamName, { filter: this.trimSubject(sessionId) });
      this.states.delete(sessionId);
    });
  }
}
