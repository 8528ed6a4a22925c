import type { AnyServerEvent, LoggedSessionEvent } from '@agent-runtime/core';
import { DeliverPolicy, type JetStreamClient } from '@nats-io/jetstream';
import type { SessionEventFollower } from './follow-session-events.js';
import { SEQ_HEADER } from './jetstream-session-event-log.js';

export interface FollowAllSessionEventsOptions {
  onEvent: (event: LoggedSessionEvent) => void;
  /** The subscription failed for good (the stream was deleted, the connection closed). */
  onError?: (error: unknown) => void;
}

/**
 * Every session's events stored from now on, in stream order (so in `seq` order per session): one
 * ordered consumer on `<prefix>.events.*` per node, which recreates itself from the last delivered
 * stream sequence after a reconnect. A node forwards what other nodes store to its own clients;
 * what it missed before it started comes from replay (`read` after the client's `since`).
 */
export function followAllSessionEvents(js: JetStreamClient, streamName: string, subjectPrefix: string, options: FollowAllSessionEventsOptions): SessionEventFollower {
  const eventsPrefix = `${subjectPrefix}.events.`;
  let stopped = false;
  let close: (() => Promise<void>) | undefined;
  let resolveReady!: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));
  const run = (async () => {
    const consumer = await js.consumers.get(streamName, { filter_subjects: `${eventsPrefix}*`, deliver_policy: DeliverPolicy.New });
    const messages = await consumer.consume({ max_messages: 1024 });
    close = async () => {
      await messages.close().catch(() => undefined);
    };
    resolveReady();
    if (stopped) return close();
    for await (const message of messages) {
      const seq = Number(message.headers?.get(SEQ_HEADER));
      if (!Number.isSafeInteger(seq) || !message.subject.startsWith(eventsPrefix)) continue;
      let event: AnyServerEvent;
      try {
        event = message.json<AnyServerEvent>();
      } catch {
        continue;
      }
      options.onEvent({ sessionId: message.subject.slice(eventsPrefix.length), seq, event });
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
