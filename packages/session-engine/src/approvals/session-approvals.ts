import { randomUUID } from 'node:crypto';
import {
  AgentRuntimeError,
  approvalBlockId,
  DEFAULT_APPROVAL_TIMEOUT_MS,
  evaluateToolPolicy,
  matchesToolPattern,
  MAIN_CONVERSATION_ID,
  toolMainInput,
  toolPolicySchema,
  type AgentQuestionAnswer,
  type AgentQuestionQuery,
  type AnswerPermissionRequest,
  type AnswerQuestionRequest,
  type AnswerRequestResponse,
  type AnyServerEvent,
  type ApprovalBlock,
  type ApprovalRequestStore,
  type Logger,
  type PendingRequest,
  type PermissionResolution,
  type QuestionResolution,
  type ResolvedToolPolicy,
  type ToolPermissionAnswer,
  type ToolPermissionQuery,
  type ToolPolicy,
  type TurnApprovals,
} from '@agent-runtime/core';
import type { Clock } from '../clock.js';
import { errorInfo } from '../error-info.js';

type Resolution = PermissionResolution | QuestionResolution;

export interface SessionApprovalsDependencies {
  sessionId: string;
  store: ApprovalRequestStore;
  clock: Clock;
  logger: Logger;
  publish(event: AnyServerEvent): Promise<unknown>;
  /** Known secrets out of a tool input or a question before it is stored or published. */
  redact<T>(value: T): T;
  /**
   * A person answered a request no running turn waits for (its turn was cut by a runtime restart):
   * run a turn that tells the agent, so that it goes on (see docs/approvals.md).
   */
  continueAfter(request: PendingRequest, resolution: Resolution): Promise<void>;
}

interface RememberedRule {
  pattern: string;
  decision: 'allow' | 'deny';
}

/** A tool call allowed after its turn was cut: the same call, made again, is allowed once. */
interface Grant {
  toolName: string;
  input: string;
  resolution: PermissionResolution;
}

const requestNotFound = (sessionId: string, requestId: string) =>
  new AgentRuntimeError('REQUEST_NOT_FOUND', `No request "${requestId.slice(0, 200)}" in session "${sessionId}".`, { details: { sessionId, requestId: requestId.slice(0, 200) } });

/** `*` is the only special character of a tool pattern; a remembered input is matched literally except for it. */
const rememberedPattern = (toolName: string, input: unknown): string => `${toolName}(${toolMainInput(input).replace(/[()]/g, '*')})`;

/**
 * The approvals of one session: the policy applied to each tool call and question of a turn
 * (`forTurn`), durable pending requests with their timeouts, answers (first wins, idempotent),
 * rules remembered for the session, and recovery of the requests a runtime restart cut.
 */
export class SessionApprovals {
  private readonly waiting = new Map<string, (resolution: Resolution) => void>();
  private readonly timers = new Map<string, unknown>();
  private readonly remembered: RememberedRule[] = [];
  private readonly grants: Grant[] = [];
  private detached = false;
  private onWaiting: (() => void) | undefined;

  constructor(private readonly deps: SessionApprovalsDependencies) {}

  /**
   * The `TurnApprovals` of one turn under `policy`; the turn's abort answers its requests `deny`
   * by `runtime`. While a request waits, `pauseTimeout` stops the turn timeout (the request has its own).
   */
  forTurn(policy: ToolPolicy, signal: AbortSignal, pauseTimeout: () => () => void = () => () => {}): TurnApprovals {
    const resolved = toolPolicySchema.parse(policy);
    this.detached = false;
    return {
      requestPermission: (query) => this.requestPermission(resolved, query, signal, pauseTimeout),
      askQuestion: (query) => this.askQuestion(resolved, query, signal, pauseTimeout),
    };
  }

  /** Requests in creation order (all, or only those still pending). */
  async list(pendingOnly: boolean) {
    return this.deps.store.list(this.deps.sessionId, { pendingOnly });
  }

  /** Every request of the session as a conversation block. */
  async blocks(): Promise<ApprovalBlock[]> {
    return (await this.list(false)).map(({ request, resolution }) => approvalBlock(request, resolution));
  }

  async answerPermission(requestId: string, answer: AnswerPermissionRequest, by: string): Promise<AnswerRequestResponse<PermissionResolution>> {
    const stored = await this.deps.store.get(this.deps.sessionId, requestId);
    if (!stored || stored.request.kind !== 'permission') throw requestNotFound(this.deps.sessionId, requestId);
    const resolution: PermissionResolution = {
      decision: answer.decision,
      by,
      ...(answer.message === undefined ? {} : { message: answer.message }),
      ...(answer.remember === undefined ? {} : { remember: answer.remember }),
      resolvedAt: this.deps.clock.now(),
    };
    const result = await this.settle(stored.request, resolution, true);
    return { success: true, sessionId: this.deps.sessionId, requestId, resolution: result.resolution as PermissionResolution, alreadyResolved: result.alreadyResolved };
  }

  async answerQuestion(requestId: string, answer: AnswerQuestionRequest, by: string): Promise<AnswerRequestResponse<QuestionResolution>> {
    const stored = await this.deps.store.get(this.deps.sessionId, requestId);
    if (!stored || stored.request.kind !== 'question') throw requestNotFound(this.deps.sessionId, requestId);
    const resolution: QuestionResolution = {
      decision: answer.decline ? 'declined' : 'answered',
      by,
      ...(answer.answers === undefined ? {} : { answers: answer.answers }),
      ...(answer.message === undefined ? {} : { message: answer.message }),
      resolvedAt: this.deps.clock.now(),
    };
    const result = await this.settle(stored.request, resolution, true);
    return { success: true, sessionId: this.deps.sessionId, requestId, resolution: result.resolution as QuestionResolution, alreadyResolved: result.alreadyResolved };
  }

  /**
   * After a runtime restart: the pending requests are presented again (their request event is
   * published once more, same id) and their timeouts armed for the time they have left.
   */
  async recover(): Promise<void> {
    for (const { request } of await this.list(true)) {
      this.arm(request);
      await this.deps.publish(requestEvent(request));
    }
  }

  /** Call `callback` once a request waits for a person — at once when one waits now (a drain hands such a turn over without waiting). */
  whenWaiting(callback: () => void): void {
    this.onWaiting = callback;
    if (this.waiting.size > 0) callback();
  }

  /** Runtime shutdown: requests stay pending (presented again after the start), nothing answers them. */
  detach(): void {
    this.detached = true;
    for (const handle of this.timers.values()) this.deps.clock.clearTimeout(handle);
    this.timers.clear();
    this.waiting.clear();
  }

  /** The session was terminated: every pending request is answered `deny` by `runtime`. */
  async terminate(): Promise<void> {
    for (const { request } of await this.list(true)) {
      await this.settle(request, this.runtimeAnswer(request, 'The session was terminated.'), false).catch(() => undefined);
    }
  }

  // --- one turn ---

  private async requestPermission(policy: ResolvedToolPolicy, query: ToolPermissionQuery, signal: AbortSignal, pauseTimeout: () => () => void): Promise<ToolPermissionAnswer> {
    const { toolName, input } = query;
    let decision = evaluateToolPolicy(policy, toolName, input);
    if (decision !== 'deny') {
      const rule = this.remembered.find((candidate) => matchesToolPattern(candidate.pattern, toolName, input));
      if (rule) return { decision: rule.decision, by: 'policy', ...(rule.decision === 'deny' ? { message: 'Denied earlier in this session.' } : {}) };
      const redacted = JSON.stringify(this.deps.redact(input ?? null));
      const grantIndex = this.grants.findIndex((grant) => grant.toolName === toolName && grant.input === redacted);
      const grant = this.grants[grantIndex];
      if (grant) {
        this.grants.splice(grantIndex, 1);
        return { decision: 'allow', by: grant.resolution.by, ...(grant.resolution.message === undefined ? {} : { message: grant.resolution.message }) };
      }
    }
    if (decision === 'allow') return { decision, by: 'policy' };
    if (decision === 'deny') return { decision, by: 'policy', message: `The tool policy of this session does not allow ${toolName} here.` };
    const now = this.deps.clock.now();
    const request: PendingRequest = {
      kind: 'permission',
      sessionId: this.deps.sessionId,
      conversationId: query.conversationId ?? MAIN_CONVERSATION_ID,
      requestId: randomUUID(),
      toolName,
      toolUseId: query.toolUseId,
      input: this.deps.redact(input ?? null),
      createdAt: now,
      expiresAt: now + (policy.requestTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS),
    };
    const resolution = (await this.wait(request, signal, pauseTimeout)) as PermissionResolution;
    decision = resolution.decision;
    return { decision, by: resolution.by, ...(resolution.message === undefined ? {} : { message: resolution.message }) };
  }

  private async askQuestion(policy: ResolvedToolPolicy, query: AgentQuestionQuery, signal: AbortSignal, pauseTimeout: () => () => void): Promise<AgentQuestionAnswer> {
    if (policy.questions === 'deny') {
      return { decision: 'declined', by: 'policy', message: 'This session does not take questions; go on with your best judgement.' };
    }
    const now = this.deps.clock.now();
    const request: PendingRequest = {
      kind: 'question',
      sessionId: this.deps.sessionId,
      conversationId: query.conversationId ?? MAIN_CONVERSATION_ID,
      requestId: randomUUID(),
      toolUseId: query.toolUseId,
      questions: this.deps.redact(query.questions),
      createdAt: now,
      expiresAt: now + (policy.requestTimeoutMs ?? DEFAULT_APPROVAL_TIMEOUT_MS),
    };
    const resolution = (await this.wait(request, signal, pauseTimeout)) as QuestionResolution;
    return {
      decision: resolution.decision,
      by: resolution.by,
      ...(resolution.answers === undefined ? {} : { answers: resolution.answers }),
      ...(resolution.message === undefined ? {} : { message: resolution.message }),
    };
  }

  /** Store and announce the request, then wait for its answer (a person, the timeout, or the turn's end). */
  private async wait(request: PendingRequest, signal: AbortSignal, pauseTimeout: () => () => void): Promise<Resolution> {
    if (signal.aborted) return this.runtimeAnswer(request, 'The turn ended before the request was made.');
    try {
      await this.deps.store.add(request);
    } catch (error) {
      this.deps.logger.error({ requestId: request.requestId, error: errorInfo(error) }, 'storing an approval request failed; denied');
      return this.runtimeAnswer(request, 'The request could not be stored, so it was denied.');
    }
    const answered = new Promise<Resolution>((resolve) => this.waiting.set(request.requestId, resolve));
    const onAbort = () => {
      if (this.detached) return; // a shutdown: the request stays pending for the next start
      this.settleOrDeny(request, this.runtimeAnswer(request, 'The turn was stopped before anyone answered, so the tool call was denied.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const resumeTimeout = pauseTimeout();
    this.arm(request);
    await this.deps.publish(requestEvent(request));
    await this.deps.publish({ event: 'session:block:start', data: { sessionId: request.sessionId, conversationId: request.conversationId, block: approvalBlock(request) } });
    this.onWaiting?.();
    try {
      return await answered;
    } finally {
      resumeTimeout();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private arm(request: PendingRequest): void {
    const delay = Math.max(0, request.expiresAt - this.deps.clock.now());
    const seconds = Math.round((request.expiresAt - request.createdAt) / 1000);
    const handle = this.deps.clock.setTimeout(() => {
      this.timers.delete(request.requestId);
      const message = `Nobody answered within ${seconds} s, so the ${request.kind === 'permission' ? `${request.toolName} call was denied` : 'question was declined'}. Do not retry it; go on without it or ask the user in your reply.`;
      const resolution: Resolution =
        request.kind === 'permission'
          ? { decision: 'deny', by: 'timeout', message, resolvedAt: this.deps.clock.now() }
          : { decision: 'declined', by: 'timeout', message, resolvedAt: this.deps.clock.now() };
      this.settleOrDeny(request, resolution);
    }, delay);
    this.timers.set(request.requestId, handle);
  }

  /**
   * The runtime's own answer (turn stopped, timeout). When it cannot be stored — e.g. `LEASE_LOST`:
   * another node owns the session now and presents the request there — the waiting turn still
   * gets it, so it ends here instead of waiting for an answer that goes elsewhere.
   */
  private settleOrDeny(request: PendingRequest, resolution: Resolution): void {
    // Taken now: losing the lease stops the session, and its `detach` forgets the waiting turns.
    const waiter = this.waiting.get(request.requestId);
    this.settle(request, resolution, false).catch((error: unknown) => {
      this.deps.logger.warn({ requestId: request.requestId, error: errorInfo(error) }, 'storing the runtime\'s answer to a request failed; the waiting turn gets it anyway');
      if (this.waiting.get(request.requestId) === waiter) this.waiting.delete(request.requestId);
      waiter?.(resolution);
    });
  }

  private runtimeAnswer(request: PendingRequest, message: string): Resolution {
    const resolvedAt = this.deps.clock.now();
    return request.kind === 'permission' ? { decision: 'deny', by: 'runtime', message, resolvedAt } : { decision: 'declined', by: 'runtime', message, resolvedAt };
  }

  /** The one path every answer takes: stored first-wins, announced, then the agent (or a continuation turn) gets it. */
  private async settle(request: PendingRequest, resolution: Resolution, byPerson: boolean): Promise<{ resolution: Resolution; alreadyResolved: boolean }> {
    const result = await this.deps.store.resolve(request.sessionId, request.requestId, resolution);
    if (!result) throw requestNotFound(request.sessionId, request.requestId);
    const first = result.stored.resolution ?? resolution;
    if (result.alreadyResolved) return { resolution: first, alreadyResolved: true };
    const handle = this.timers.get(request.requestId);
    if (handle !== undefined) this.deps.clock.clearTimeout(handle);
    this.timers.delete(request.requestId);
    if (request.kind === 'permission' && 'remember' in first && first.remember && (first.decision === 'allow' || first.decision === 'deny')) {
      this.remembered.push({ pattern: rememberedPattern(request.toolName, request.input), decision: first.decision });
    }
    const event = request.kind === 'permission' ? 'session:permission:resolved' : 'session:question:resolved';
    await this.deps.publish({ event, data: { sessionId: request.sessionId, requestId: request.requestId, ...first } } as AnyServerEvent);
    const block = approvalBlock(request, first);
    await this.deps.publish({ event: 'session:block:complete', data: { sessionId: request.sessionId, conversationId: request.conversationId, blockId: block.id, block } });
    const waiter = this.waiting.get(request.requestId);
    this.waiting.delete(request.requestId);
    if (waiter) waiter(first);
    else if (byPerson) {
      // Nobody waits: the turn that asked was cut by a restart. An allowed call made again is allowed once.
      if (request.kind === 'permission' && first.decision === 'allow') {
        this.grants.push({ toolName: request.toolName, input: JSON.stringify(request.input ?? null), resolution: first as PermissionResolution });
      }
      await this.deps.continueAfter(request, first).catch((error) =>
        this.deps.logger.error({ requestId: request.requestId, error: errorInfo(error) }, 'starting the continuation turn of an answered request failed'),
      );
    }
    return { resolution: first, alreadyResolved: false };
  }
}

function requestEvent(request: PendingRequest): AnyServerEvent {
  return request.kind === 'permission'
    ? { event: 'session:permission:request', data: request }
    : { event: 'session:question:request', data: request };
}

/** A request as the conversation block that shows it. */
export function approvalBlock(request: PendingRequest, resolution?: Resolution): ApprovalBlock {
  return {
    id: approvalBlockId(request.requestId),
    timestamp: new Date(request.createdAt).toISOString(),
    type: 'approval',
    request,
    status: resolution ? 'resolved' : 'pending',
    ...(resolution ? { resolution } : {}),
  };
}
