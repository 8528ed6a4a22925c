export * from './persistence-adapter.js';
