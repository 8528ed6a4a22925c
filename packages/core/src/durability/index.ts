export * from './session-event-log.js';
export * from './turn-queue-store.js';
export * from './persistence-extensions.js';
export * from './session-ownership.js';
