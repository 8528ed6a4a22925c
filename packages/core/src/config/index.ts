export * from './logger.js';
export * from './runtime-config.js';
export * from './webhook-config.js';
