import type { AnswerPermissionRequest, AnswerQuestionRequest, AnswerRequestResponse } from '../approvals/approval-rest.js';
import type { PermissionResolution, QuestionResolution } from '../approvals/approval-request.js';
import type { AgentProfileListData } from '../profiles/index.js';
import type { CreateSessionRequest, SendMessageRequest, SendMessageResponse } from '../protocol/rest.js';
import type { RuntimeSessionData, SessionListData, WorkspaceFile } from '../sessions/index.js';
import type { SessionEventSource } from './session-event-source.js';

/** One file to write into a workspace: a relative path and its raw bytes. */
export interface WorkspaceUpload {
  path: string;
  content: Uint8Array;
}

/**
 * What transports (HTTP, WebSocket, in-process callers) use; the session engine's
 * `SessionManager` implements it. Every method rejects with a coded `AgentRuntimeError`
 * (SESSION_NOT_FOUND, INVALID_INPUT, TOO_MANY_QUEUED_MESSAGES, ...).
 */
export interface SessionEngine {
  readonly events: SessionEventSource;

  createSession(request: CreateSessionRequest): Promise<SessionListData>;
  listSessions(): SessionListData[];
  /** Record, blocks per conversation, workspace files; SESSION_NOT_FOUND when unknown. */
  getSession(sessionId: string): Promise<RuntimeSessionData>;
  /**
   * Queue a message; resolves once accepted — stored in the turn queue, so it runs even after a
   * restart — not when the turn ends. A retry with an earlier `clientMessageId` is acknowledged
   * again and does not run again.
   */
  sendMessage(sessionId: string, request: SendMessageRequest): Promise<SendMessageResponse>;
  /** Interrupt the running turn; `interrupted: false` when none runs. */
  interrupt(sessionId: string): Promise<{ interrupted: boolean }>;
  /** Stop the sandbox, persist everything, mark the session `completed`. */
  terminateSession(sessionId: string): Promise<void>;
  /** One workspace file (FILE_NOT_FOUND / PATH_REFUSED). */
  readWorkspaceFile(sessionId: string, path: string): Promise<WorkspaceFile>;
  /**
   * Write files into the workspace (stored through `saveWorkspaceFile`, and written into the
   * running sandbox when there is one; otherwise restored with the next sandbox). Every path is
   * checked first (PATH_REFUSED) and every size (PAYLOAD_TOO_LARGE): nothing is written unless all pass.
   * Optional: engines without it answer UNSUPPORTED_OPERATION over HTTP.
   */
  writeWorkspaceFiles?(sessionId: string, files: readonly WorkspaceUpload[]): Promise<WorkspaceFile[]>;
  /**
   * Answer a pending permission request (`by`: who answered, e.g. the principal's id):
   * INVALID_INPUT for a bad answer, REQUEST_NOT_FOUND for an unknown request. The first answer
   * wins; a second one changes nothing and gets the first back with `alreadyResolved: true`.
   * Optional: engines without it answer UNSUPPORTED_OPERATION over HTTP.
   */
  answerPermission?(sessionId: string, requestId: string, answer: AnswerPermissionRequest, by: string): Promise<AnswerRequestResponse<PermissionResolution>>;
  /** Answer a pending agent question (same rules as `answerPermission`). */
  answerQuestion?(sessionId: string, requestId: string, answer: AnswerQuestionRequest, by: string): Promise<AnswerRequestResponse<QuestionResolution>>;
  listAgentProfiles(): Promise<AgentProfileListData[]>;
  /** True once started and not stopping (for readiness probes). */
  isReady(): boolean;
}
