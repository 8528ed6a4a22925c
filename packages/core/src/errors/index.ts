export * from './error-codes.js';
export * from './agent-runtime-error.js';
export * from './errors.js';
export * from './cluster-errors.js';
