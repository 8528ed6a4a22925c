import { sessionListDataSchema, sessionStatusSchema } from '@agent-runtime/core';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { z } from 'zod';
import { checkedSubjectPrefix, subjectToken } from '../subject-token.js';

/** What every node's clients must learn about: the session list changed, or one session's status did. */
export const clusterNotificationSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('sessions:list'), originNodeId: z.string(), sessions: z.array(sessionListDataSchema) }),
  z.object({ kind: z.literal('session:status'), originNodeId: z.string(), sessionId: z.string(), status: sessionStatusSchema }),
]);
export type ClusterNotification = z.infer<typeof clusterNotificationSchema>;
type Payload<K extends ClusterNotification['kind']> = Omit<Extract<ClusterNotification, { kind: K }>, 'originNodeId'>;

export interface ClusterNotificationsOptions {
  connection: NatsConnection;
  nodeId: string;
  /** Subject is `<prefix>.notifications` (default `agent-runtime`). */
  subjectPrefix?: string;
}

/**
 * `sessions:list` and status changes across nodes: core NATS publish/subscribe (at most once; a
 * client that must not miss a status reads it on join). Each node publishes what changed locally and
 * forwards what others publish to its own clients; its own notifications are not echoed back.
 */
export class ClusterNotifications {
  private readonly subject: string;
  private readonly subscriptions = new Set<Subscription>();

  constructor(private readonly options: ClusterNotificationsOptions) {
    this.subject = `${checkedSubjectPrefix(options.subjectPrefix ?? 'agent-runtime')}.notifications`;
    subjectToken(options.nodeId, 'nodeId');
  }

  publish<K extends ClusterNotification['kind']>(notification: Payload<K> & { kind: K }): void {
    this.options.connection.publish(this.subject, JSON.stringify({ ...notification, originNodeId: this.options.nodeId }));
  }

  /** Receive other nodes' notifications; malformed ones go to `onInvalid` and are dropped. Resolves once subscribed. */
  async subscribe(onNotification: (notification: ClusterNotification) => void, onInvalid?: (error: unknown) => void): Promise<() => Promise<void>> {
    const subscription = this.options.connection.subscribe(this.subject, {
      callback: (error, message) => {
        if (error) return onInvalid?.(error);
        try {
          const notification = clusterNotificationSchema.parse(JSON.parse(message.string()));
          if (notification.originNodeId !== this.options.nodeId) onNotification(notification);
        } catch (invalid) {
          onInvalid?.(invalid);
        }
      },
    });
    this.subscriptions.add(subscription);
    await this.options.connection.flush();
    return async () => {
      this.subscriptions.delete(subscription);
      await subscription.drain();
    };
  }
}
