export * from './subject.js';
export * from './event-log-contract.js';
export * from './turn-queue-contract.js';
export * from './durability-crash-test.js';
export { runDurabilityCrashWriter, type DurabilityCrashLine, type DurabilityCrashStores, type DurabilityCrashWriterOptions } from './durability-crash-writer.js';
