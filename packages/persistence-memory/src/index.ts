export * from './memory-persistence.js';
/**
 * Helpers shared by the reference adapters (validation, path checks, the SQL adapters' `sessions`
 * row mapping): useful when writing your own.
 */
export * from './adapter-helpers/index.js';
