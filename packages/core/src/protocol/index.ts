export * from './block-events.js';
export * from './session-events.js';
export * from './events.js';
export * from './frames.js';
export * from './rest.js';
export * from './server-event-schemas.js';
