export { AgentRuntime } from './agent-runtime.js';
export { validateRuntimeConfig, type ResolvedRuntimeConfig } from './validate-config.js';
export * from '@agent-runtime/core';
