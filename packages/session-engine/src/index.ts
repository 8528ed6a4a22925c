export * from './event-bus.js';
export * from './session-engine-api.js';
export * from './session-manager.js';
export { AgentSession, type AgentSessionDependencies } from './agent-session.js';
export type { SessionEngineSettings } from './settings.js';
export { workspaceFileBytes, workspaceFileFromBytes } from './workspace-content.js';
