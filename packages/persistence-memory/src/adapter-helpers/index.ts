export * from './parse-agent-profile.js';
export * from './session-input.js';
export * from './stored-path.js';
export * from './session-row.js';
