/** The `sessions` row mapping shared by the SQL reference adapters. */
export * from './session-row.js';
/** The `turn_queue` row mapping shared by the SQL reference adapters. */
export * from './turn-row.js';
/** Seeding agent profiles from a folder of JSON files (Node only). */
export * from './seed/index.js';
