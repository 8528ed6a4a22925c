export * from './bus-event.js';
export * from './replay-result.js';
export * from './session-event-source.js';
export * from './session-engine.js';
