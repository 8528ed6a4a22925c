export * from './subject.js';
export * from './event-log-contract.js';
export * from './turn-queue-contract.js';
