import {
  answerPermissionRequestSchema,
  answerQuestionRequestSchema,
  invalidInputError,
  sendMessageRequestSchema,
  sessionBusyError,
  type AnswerPermissionRequest,
  type AnswerQuestionRequest,
  type AnswerRequestResponse,
  type PermissionResolution,
  type QuestionResolution,
  type SendMessageRequest,
  type SendMessageResponse,
} from '@agent-runtime/core';
import type { SessionCommand, SessionCoordinator } from './session-coordinator.js';
import type { SessionRegistry } from './session-registry.js';

export interface SessionCommandRoutingDependencies {
  sessions: SessionRegistry;
  /** True once the runtime stops: a single node refuses new messages then. */
  isStopping(): boolean;
  /** Run a command on a session of this node (the manager's `runLocally`). */
  runLocally(command: SessionCommand): Promise<unknown>;
  coordinator?: SessionCoordinator;
}

/**
 * Messages, interrupts, answers and terminates: the request checked, then run by the session
 * here, or in cluster mode routed to the node that owns it.
 */
export class SessionCommandRouting {
  constructor(private readonly deps: SessionCommandRoutingDependencies) {}

  async sendMessage(sessionId: string, request: SendMessageRequest): Promise<SendMessageResponse> {
    const parsed = sendMessageRequestSchema.safeParse(request);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const coordinator = this.deps.coordinator;
    if (coordinator) {
      await this.deps.sessions.known(sessionId);
      return (await coordinator.route({ type: 'message', sessionId, request: parsed.data })) as SendMessageResponse;
    }
    if (this.deps.isStopping()) throw sessionBusyError('The runtime is shutting down.');
    return this.deps.sessions.require(sessionId).sendMessage(parsed.data);
  }

  async interrupt(sessionId: string): Promise<{ interrupted: boolean }> {
    const coordinator = this.deps.coordinator;
    if (coordinator) {
      await this.deps.sessions.known(sessionId);
      return (await coordinator.route({ type: 'interrupt', sessionId })) as { interrupted: boolean };
    }
    return this.deps.sessions.require(sessionId).interrupt();
  }

  /**
   * Answer a permission request: INVALID_INPUT for a bad body, REQUEST_NOT_FOUND for an unknown
   * request. `by` names who answered (a principal id). A second answer changes nothing.
   */
  async answerPermission(sessionId: string, requestId: string, answer: AnswerPermissionRequest, by: string): Promise<AnswerRequestResponse<PermissionResolution>> {
    const parsed = answerPermissionRequestSchema.safeParse(answer);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const command = { type: 'answerPermission', sessionId, requestId: String(requestId), answer: parsed.data, by } as const;
    return (await this.routeAnswer(command)) as AnswerRequestResponse<PermissionResolution>;
  }

  /** Answer an agent question (same rules as `answerPermission`). */
  async answerQuestion(sessionId: string, requestId: string, answer: AnswerQuestionRequest, by: string): Promise<AnswerRequestResponse<QuestionResolution>> {
    const parsed = answerQuestionRequestSchema.safeParse(answer);
    if (!parsed.success) throw invalidInputError(parsed.error.issues);
    const command = { type: 'answerQuestion', sessionId, requestId: String(requestId), answer: parsed.data, by } as const;
    return (await this.routeAnswer(command)) as AnswerRequestResponse<QuestionResolution>;
  }

  /** An answer runs where the waiting turn runs: on the owner (cluster mode), else here. */
  private async routeAnswer(command: Extract<SessionCommand, { type: 'answerPermission' | 'answerQuestion' }>): Promise<unknown> {
    const coordinator = this.deps.coordinator;
    if (!coordinator) return this.deps.runLocally(command);
    await this.deps.sessions.known(command.sessionId);
    return coordinator.route(command);
  }

  async terminate(sessionId: string): Promise<void> {
    const coordinator = this.deps.coordinator;
    if (coordinator) {
      await this.deps.sessions.known(sessionId);
      await coordinator.route({ type: 'terminate', sessionId });
      return;
    }
    await this.deps.sessions.require(sessionId).terminate();
  }
}
