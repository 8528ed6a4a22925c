export * from './parse-agent-profile.js';
export * from './session-input.js';
export * from './stored-workspace-path.js';
