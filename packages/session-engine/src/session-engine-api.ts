import type {
  AgentProfileListData,
  CreateSessionRequest,
  RuntimeSessionData,
  SendMessageRequest,
  SendMessageResponse,
  SessionListData,
  WorkspaceFile,
} from '@agent-runtime/core';
import type { SessionEventBus } from './event-bus.js';

/**
 * What transports (HTTP, WebSocket, in-process callers) use. `SessionManager` implements it;
 * every method rejects with a coded `AgentRuntimeError` (SESSION_NOT_FOUND, INVALID_INPUT, ...).
 */
export interface SessionEngine {
  readonly events: SessionEventBus;

  createSession(request: CreateSessionRequest): Promise<SessionListData>;
  listSessions(): SessionListData[];
  /** Record, blocks per conversation, workspace files; SESSION_NOT_FOUND when unknown. */
  getSession(sessionId: string): Promise<RuntimeSessionData>;
  /** Queue a message; resolves once accepted (not when the turn ends). */
  sendMessage(sessionId: string, request: SendMessageRequest): Promise<SendMessageResponse>;
  /** Interrupt the running turn; `interrupted: false` when none runs. */
  interrupt(sessionId: string): Promise<{ interrupted: boolean }>;
  /** Stop the sandbox, persist everything, mark the session `completed`. */
  terminateSession(sessionId: string): Promise<void>;
  /** One workspace file (FILE_NOT_FOUND / PATH_REFUSED). */
  readWorkspaceFile(sessionId: string, path: string): Promise<WorkspaceFile>;
  listAgentProfiles(): Promise<AgentProfileListData[]>;
  /** True once started and not stopping (for readiness probes). */
  isReady(): boolean;
}
