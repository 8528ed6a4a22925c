import { hasErrorCode, invalidInputError, ownerUnreachableError, type SessionOwnership } from '@agent-runtime/core';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { checkedSubjectPrefix, subjectToken } from '../subject-token.js';
import { errorFromReply, replyFromError, type SessionCommand, sessionCommandReplySchema, sessionCommandSchema } from './session-command.js';

/** Runs a command on the node that owns the session (the session engine's message/interrupt/terminate). */
export type SessionCommandHandler = (command: SessionCommand) => Promise<unknown>;

/** Minimal logger; libraries log nothing unless given one. */
export interface ClusterLogger {
  warn(object: Record<string, unknown>, message: string): void;
}

export interface SessionCommandRouterOptions {
  connection: NatsConnection;
  ownership: Pick<SessionOwnership, 'owner'>;
  /** This node's id (the one it acquires leases with). */
  nodeId: string;
  /** Runs commands for sessions this node owns. */
  handler: SessionCommandHandler;
  /** Subjects are `<prefix>.commands.<nodeId>` (default `agent-runtime`). */
  subjectPrefix?: string;
  /** How long to wait for the owner's reply (default 10 000 ms). */
  timeoutMs?: number;
  logger?: ClusterLogger;
}

/** Where a routed command went. */
export type RouteResult = { route: 'local' | 'remote'; nodeId: string; result: unknown } | { route: 'unowned' };

/**
 * Delivers a command to the node that owns its session: locally when that is this node, else as a
 * NATS request on the owner's subject, with a timeout. `unowned` tells the caller that no live node
 * owns the session, so it may acquire the session and run the command itself. The owner's coded
 * errors come back as the same `AgentRuntimeError`; silence or a dead owner is `OWNER_UNREACHABLE`.
 */
export class SessionCommandRouter {
  private readonly options: SessionCommandRouterOptions;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private subscription: Subscription | undefined;

  constructor(options: SessionCommandRouterOptions) {
    this.options = options;
    this.prefix = checkedSubjectPrefix(options.subjectPrefix ?? 'agent-runtime');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    subjectToken(options.nodeId, 'nodeId');
  }

  private nodeSubject(nodeId: string): string {
    return `${this.prefix}.commands.${subjectToken(nodeId, 'nodeId')}`;
  }

  /** Start answering commands routed to this node; resolves once the subscription is registered with the server. */
  async start(): Promise<void> {
    if (this.subscription) return;
    this.subscription = this.options.connection.subscribe(this.nodeSubject(this.options.nodeId), {
      callback: (error, message) => {
        if (error) return this.options.logger?.warn({ err: error }, 'command subscription failed');
        void this.answer(message.data).then((reply) => message.respond(JSON.stringify(reply)));
      },
    });
    await this.options.connection.flush();
  }

  private async answer(data: Uint8Array): Promise<unknown> {
    let raw: unknown;
    try {
      raw = JSON.parse(new TextDecoder().decode(data));
    } catch {
      return replyFromError(invalidInputError([{ path: [], message: 'not JSON' }], 'command'));
    }
    const parsed = sessionCommandSchema.safeParse(raw);
    if (!parsed.success) return replyFromError(invalidInputError(parsed.error.issues, 'command'));
    try {
      return { ok: true, result: (await this.options.handler(parsed.data)) ?? null };
    } catch (error) {
      if (!hasErrorCode(error, 'LEASE_LOST')) this.options.logger?.warn({ err: error, sessionId: parsed.data.sessionId }, 'routed command failed');
      return replyFromError(error);
    }
  }

  /** Stop answering (commands for this node's sessions then fail with `OWNER_UNREACHABLE` until they move). */
  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription) await subscription.drain();
  }

  /** Deliver `command` to its session's owner. A reply of `LEASE_LOST` (the owner just moved) is retried once. */
  async send(command: SessionCommand, timeoutMs = this.timeoutMs): Promise<RouteResult> {
    const parsed = sessionCommandSchema.safeParse(command);
    if (!parsed.success) throw invalidInputError(parsed.error.issues, 'command');
    subjectToken(parsed.data.sessionId, 'sessionId');
    for (let attempt = 0; ; attempt += 1) {
      const lease = await this.options.ownership.owner(parsed.data.sessionId);
      if (!lease) return { route: 'unowned' };
      try {
        if (lease.nodeId === this.options.nodeId) return { route: 'local', nodeId: lease.nodeId, result: await this.options.handler(parsed.data) };
        return { route: 'remote', nodeId: lease.nodeId, result: await this.request(lease.nodeId, parsed.data, timeoutMs) };
      } catch (error) {
        if (attempt === 0 && hasErrorCode(error, 'LEASE_LOST')) continue;
        throw error;
      }
    }
  }

  private async request(nodeId: string, command: SessionCommand, timeoutMs: number): Promise<unknown> {
    let data: Uint8Array;
    try {
      data = (await this.options.connection.request(this.nodeSubject(nodeId), JSON.stringify(command), { timeout: timeoutMs })).data;
    } catch (error) {
      throw ownerUnreachableError(command.sessionId, nodeId, timeoutMs, error);
    }
    const reply = sessionCommandReplySchema.safeParse(JSON.parse(new TextDecoder().decode(data)));
    if (!reply.success) throw ownerUnreachableError(command.sessionId, nodeId, timeoutMs, reply.error);
    if (!reply.data.ok) throw errorFromReply(reply.data);
    return reply.data.result;
  }
}
