import type {
  PermissionRequestEvent,
  PermissionResolvedEvent,
  QuestionRequestEvent,
  QuestionResolvedEvent,
} from '../approvals/approval-events.js';
import type { AnswerPermissionRequest, AnswerQuestionRequest } from '../approvals/approval-rest.js';
import type { BlockCompleteEvent, BlockDeltaEvent, BlockStartEvent, BlockUpdateEvent } from './block-events.js';
import type {
  ErrorEvent,
  FileEvent,
  IdleWarningEvent,
  MetadataUpdateEvent,
  ResyncEvent,
  SessionsListEvent,
  StatusEvent,
  SubagentCompletedEvent,
  SubagentDiscoveredEvent,
  TurnEndEvent,
  TurnStartEvent,
} from './session-events.js';

/** Events the server sends, by name, with their payloads (as listeners). */
export interface ServerToClientEvents {
  'session:block:start': (data: BlockStartEvent) => void;
  'session:block:delta': (data: BlockDeltaEvent) => void;
  'session:block:update': (data: BlockUpdateEvent) => void;
  'session:block:complete': (data: BlockCompleteEvent) => void;
  'session:file:created': (data: FileEvent) => void;
  'session:file:modified': (data: FileEvent) => void;
  'session:file:deleted': (data: FileEvent) => void;
  'session:status': (data: StatusEvent) => void;
  'session:metadata:update': (data: MetadataUpdateEvent) => void;
  'session:subagent:discovered': (data: SubagentDiscoveredEvent) => void;
  'session:subagent:completed': (data: SubagentCompletedEvent) => void;
  'session:idle:warning': (data: IdleWarningEvent) => void;
  'session:turn:start': (data: TurnStartEvent) => void;
  'session:turn:end': (data: TurnEndEvent) => void;
  'session:resync': (data: ResyncEvent) => void;
  'session:permission:request': (data: PermissionRequestEvent) => void;
  'session:permission:resolved': (data: PermissionResolvedEvent) => void;
  'session:question:request': (data: QuestionRequestEvent) => void;
  'session:question:resolved': (data: QuestionResolvedEvent) => void;
  'sessions:list': (data: SessionsListEvent) => void;
  error: (data: ErrorEvent) => void;
}

/** The answer to a client event that asked for an acknowledgement. */
export type AckResponse =
  | { success: true; [key: string]: unknown }
  | { success: false; error: { code: string; message: string } };

/** What a join may ask for. */
export interface JoinOptions {
  /** The last sequence number the client saw; events after it are replayed. */
  since?: number;
}

/** Events the client sends, by name, with their arguments (as emitters). */
export interface ClientToServerEvents {
  'session:join': (sessionId: string, callback: (response: AckResponse) => void) => void;
  'session:leave': (sessionId: string, callback: (response: AckResponse) => void) => void;
  /** Answer a permission request (same body and result as `POST /sessions/:sessionId/permissions/:requestId`). */
  'session:permission:respond': (sessionId: string, requestId: string, answer: AnswerPermissionRequest, callback: (response: AckResponse) => void) => void;
  /** Answer a question (same body and result as `POST /sessions/:sessionId/questions/:requestId`). */
  'session:question:respond': (sessionId: string, requestId: string, answer: AnswerQuestionRequest, callback: (response: AckResponse) => void) => void;
}

export type ServerEventName = keyof ServerToClientEvents;
export type ServerEventPayload<E extends ServerEventName> = Parameters<ServerToClientEvents[E]>[0];
export type ClientEventName = keyof ClientToServerEvents;

/** Every server event with its payload, as a discriminated union. */
export type AnyServerEvent = { [E in ServerEventName]: { event: E; data: ServerEventPayload<E> } }[ServerEventName];

/** Server event names, for runtime checks. */
export const SERVER_EVENT_NAMES = [
  'session:block:start',
  'session:block:delta',
  'session:block:update',
  'session:block:complete',
  'session:file:created',
  'session:file:modified',
  'session:file:deleted',
  'session:status',
  'session:metadata:update',
  'session:subagent:discovered',
  'session:subagent:completed',
  'session:idle:warning',
  'session:turn:start',
  'session:turn:end',
  'session:resync',
  'session:permission:request',
  'session:permission:resolved',
  'session:question:request',
  'session:question:resolved',
  'sessions:list',
  'error',
] as const satisfies readonly ServerEventName[];

export const CLIENT_EVENT_NAMES = ['session:join', 'session:leave', 'session:permission:respond', 'session:question:respond'] as const satisfies readonly ClientEventName[];
