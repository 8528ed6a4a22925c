export { createAgentRuntimeClient, type AgentRuntimeClient, type AgentRuntimeClientOptions } from './client.js';
export { RestClient, randomId, type FetchLike, type InterruptResponse, type RestClientOptions, type SendMessageOptions, type WarmSessionResponse, type WorkspaceWriteResponse } from './rest-client.js';
export {
  AgentRuntimeSocket,
  type AgentRuntimeSocketOptions,
  type ClientErrorCode,
  type ClientErrorReport,
  type ClientEventHandler,
  type ClientEventMap,
  type ClientEventName,
  type ClientLogger,
  type EventMeta,
  type JoinAck,
  type LocalEventMap,
  type ReconnectOptions,
  type ServerEventFrame,
  type Timers,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket.js';
export { parseServerFrame, type ParsedServerFrame } from './parse-server-frame.js';
export { backoffDelay, withAccessToken, type ConnectionState } from './reconnecting-connection.js';
export { AgentRuntimeClientError } from './client-error.js';
export {
  applySessionEvent,
  createSessionState,
  mainBlocks,
  type SessionEventFrame,
  type SessionState,
  type SubagentState,
} from './session-state.js';
