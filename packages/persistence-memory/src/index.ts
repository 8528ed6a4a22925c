export * from './memory-persistence.js';
/** Helpers shared by the adapters (validation, path checks): useful when writing your own. */
export * from './adapter-helpers/index.js';
