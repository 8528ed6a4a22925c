export * from './sandbox-provider.js';
export * from './require-feature.js';
