export * from './model-server/index.js';
export * from './agents/index.js';
export * from './doubles/index.js';
export * from './persistence-contract/index.js';
export * from './sandbox-contract/index.js';
