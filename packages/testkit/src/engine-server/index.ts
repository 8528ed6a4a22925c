export * from './echo-turn.js';
export * from './real-engine-server.js';
