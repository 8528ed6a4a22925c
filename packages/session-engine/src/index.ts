export * from './event-bus.js';
export * from './session-engine-api.js';
