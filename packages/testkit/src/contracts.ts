// Contract suites: one vitest suite per interface that every implementation runs.
export * from './architecture-contract/index.js';
export * from './persistence-contract/index.js';
export * from './durability-contract/index.js';
export * from './sandbox-contract/index.js';
