export * from './load-agent-profiles.js';
export * from './seed-agent-profiles.js';
