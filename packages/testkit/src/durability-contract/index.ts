export * from './subject.js';
export * from './event-log-contract.js';
export * from './turn-queue-contract.js';
export * from './durability-crash-test.js';
export { runDurabilityCrashWriter, type DurabilityCrashLine, type DurabilityCrashStores, type DurabilityCrashWriterOptions } from './durability-crash-writer.js';
export { approvalRequestStoreContract, type ApprovalRequestStoreContractFactory } from './approval-request-store-contract.js';
