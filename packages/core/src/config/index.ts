export * from './logger.js';
export * from './runtime-config.js';
