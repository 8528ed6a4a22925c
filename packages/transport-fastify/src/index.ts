export { agentRuntimePlugin, type AgentRuntimeDecoration } from './plugin.js';
export { createAgentRuntimeServer, toFastifyLogger, type CreateAgentRuntimeServerOptions } from './server.js';
export type {
  AgentRuntimePluginOptions,
  Authenticate,
  AuthorizeSession,
  CorsOptions,
  Principal,
  SessionAction,
} from './options.js';
export { bearerTokenAuthenticator, type BearerTokenAuthenticatorOptions } from './auth.js';
// The request guards and auth hooks' semantics, for other transports on the same engine (Socket.IO).
export { authenticateRequest, isSessionActionAllowed } from './auth.js';
export { hostName, isHostAllowed } from './security/host-check.js';
export { isOriginAllowed } from './security/origin-check.js';
export { ERROR_STATUS, mapError, type MappedError } from './http/error-status.js';
export { agentRuntimeErrorHandler, agentRuntimeNotFoundHandler } from './http/error-handler.js';
export { buildOpenApiDocument } from './http/openapi-document.js';
export { answerRequest, answeredBy, type AnswerRequestOptions } from './http/approval-answers.js';
export { parseTar, tarStream } from './http/workspace-tar.js';
export { buildAsyncApiDocument, SERVER_EVENT_PAYLOADS } from './http/asyncapi-document.js';
export { WebSocketHub, type JoinResult } from './websocket/websocket-hub.js';
export { Connection, SLOW_CONSUMER_CLOSE_CODE } from './websocket/connection.js';
export { traceSandboxProvider } from './observability/trace-sandbox-provider.js';
export { RuntimeMetrics } from './observability/metrics.js';
export type { LimitsOptions, MetricsOptions } from './options.js';
