export * from './sandbox-provider.js';
export * from './require-feature.js';
export * from './sandbox-network.js';
