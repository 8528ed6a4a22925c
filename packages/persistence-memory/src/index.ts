export * from './memory-persistence.js';
