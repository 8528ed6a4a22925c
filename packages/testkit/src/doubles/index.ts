export * from './fake-sandbox-provider.js';
export * from './scripted-architecture.js';
