import type { AnyServerEvent, LoggedSessionEvent } from '@agent-runtime/core';
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import { SEQ_HEADER } from './jetstream-session-event-log.js';

export interface FollowSessionEventsOptions {
  /** Deliver only events with `seq > afterSeq` (0: everything still kept). */
  afterSeq?: number;
  onEvent: (event: LoggedSessionEvent) => void;
  /** The subscription failed (the stream was deleted, the connection closed for good). */
  onError?: (error: unknown) => void;
}

/** A live subscription to one session's events. */
export interface SessionEventFollower {
  /** Resolves once the first batch of kept events was requested (deliveries follow in order). */
  ready: Promise<void>;
  /** Stop receiving; resolves when the consumer is gone. */
  stop(): Promise<void>;
}

/**
 * Follow a session's events live from any node: an ordered JetStream consumer on the session's
 * subject replays what is kept after `afterSeq`, then delivers each new event as it is stored, in
 * `seq` order, without gaps (the ordered consumer recreates itself from the last delivered stream
 * sequence when a message was missed or the connection was lost).
 */
export function followSessionEvents(js: JetStreamClient, streamName: string, subject: string, sessionId: string, options: FollowSessionEventsOptions): SessionEventFollower {
  const afterSeq = options.afterSeq ?? 0;
  let stopped = false;
  let close: (() => Promise<void>) | undefined;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const run = (async () => {
    const consumer = await js.consumers.get(streamName, { filter_subjects: subject, deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume({ max_messages: 256 });
    close = async () => {
      await messages.close().catch(() => undefined);
    };
    resolveReady();
    if (stopped) return close();
    let lastSeq = afterSeq;
    for await (const message of messages) {
      const seq = Number(message.headers?.get(SEQ_HEADER));
      if (!(seq > lastSeq)) continue;
      lastSeq = seq;
      options.onEvent({ sessionId, seq, event: message.json<AnyServerEvent>() });
    }
  })().catch((error: unknown) => {
    resolveReady();
    if (!stopped) options.onError?.(error);
  });
  return {
    ready,
    async stop() {
      stopped = true;
      await close?.();
      await run;
    },
  };
}
