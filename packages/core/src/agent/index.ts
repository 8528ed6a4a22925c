export * from './agent-events.js';
export * from './agent-architecture.js';
