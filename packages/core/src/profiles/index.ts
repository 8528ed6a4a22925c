export * from './agent-profile.js';
export * from './agent-profile-list-data.js';
export * from './redact-profile.js';
export * from './profile-network.js';
