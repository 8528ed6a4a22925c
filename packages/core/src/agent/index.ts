export * from './agent-events.js';
export * from './agent-architecture.js';
export * from './fold-agent-events.js';
