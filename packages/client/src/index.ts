export { createAgentRuntimeClient, type AgentRuntimeClient, type AgentRuntimeClientOptions } from './client.js';
export { RestClient, randomId, type FetchLike, type InterruptResponse, type RestClientOptions, type SendMessageOptions } from './rest-client.js';
export {
  AgentRuntimeSocket,
  type AgentRuntimeSocketOptions,
  type ClientEventHandler,
  type ClientEventMap,
  type ClientEventName,
  type EventMeta,
  type JoinAck,
  type LocalEventMap,
  type ReconnectOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from './socket.js';
export { AgentRuntimeClientError } from './client-error.js';
export {
  applySessionEvent,
  createSessionState,
  mainBlocks,
  type SessionEventFrame,
  type SessionState,
  type SubagentState,
} from './session-state.js';
