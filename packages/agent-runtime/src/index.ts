export { AgentRuntime, type AgentRuntimeOptions } from './agent-runtime.js';
export { defaultPersistence, type DefaultPersistence, type DefaultPersistenceOptions } from './default-persistence.js';
export { maxWarmProcessesFor, validateRuntimeConfig, type ResolvedRuntimeConfig } from './validate-config.js';
export * from '@agent-runtime/core';
export { createClaudeArchitecture, type ClaudeArchitectureOptions } from '@agent-runtime/agent-claude';
export { createGeminiArchitecture, type GeminiArchitectureOptions } from '@agent-runtime/agent-gemini';
export { createLocalSandboxProvider, type LocalSandboxProviderOptions } from '@agent-runtime/sandbox-local';
export { createModalSandboxProvider } from '@agent-runtime/sandbox-modal';
export { createMemoryPersistence } from '@agent-runtime/persistence-memory';
export { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';
export { createPostgresPersistence } from '@agent-runtime/persistence-postgres';
export { SessionManager, SessionEventBus, type SessionEngine, type BusEvent } from '@agent-runtime/session-engine';
export { MemorySessionEventLog, MemoryTurnQueueStore, SecretRedactor } from '@agent-runtime/session-engine';
export { agentRuntimePlugin, createAgentRuntimeServer, bearerTokenAuthenticator } from '@agent-runtime/transport-fastify';
export { ClusterCoordinator, DEPLOYMENT_LABEL, NODE_LABEL, type ClusterCoordinatorOptions } from './cluster/cluster-coordinator.js';
export { resolveClusterSettings, type ClusterSettings } from './cluster/cluster-settings.js';
export {
  checkWebhookSignature,
  createWebhookDispatcher,
  registerWebhookMetrics,
  verifyWebhookSignature,
  WebhookDispatcher,
  type WebhookDeliveryOutcome,
  type WebhookPayload,
} from '@agent-runtime/webhooks';
