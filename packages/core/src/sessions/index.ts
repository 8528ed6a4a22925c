export * from './architecture.js';
export * from './session-status.js';
export * from './workspace-file.js';
export * from './session-list-data.js';
export * from './saved-session-data.js';
export * from './runtime-session-data.js';
export * from './metadata-bounds.js';
