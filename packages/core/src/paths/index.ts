export * from './workspace-path.js';
