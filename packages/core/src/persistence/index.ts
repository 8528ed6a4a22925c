export * from './persistence-adapter.js';
/** The input validation every adapter shares (used by the memory, SQLite and PostgreSQL adapters). */
export * from './validation/index.js';
