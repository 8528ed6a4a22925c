// Runtime helpers with no test-runner dependency: the scripted model server, agent env helpers,
// test doubles and the crash-test writer. Contract suites (which import vitest) live on
// `@agent-runtime/testkit/contracts`.
export * from './model-server/index.js';
export * from './agents/index.js';
export * from './doubles/index.js';
export { runCrashWriter, type CrashWriterLine } from './persistence-contract/crash-writer.js';
export { runDurabilityCrashWriter, type DurabilityCrashLine, type DurabilityCrashStores, type DurabilityCrashWriterOptions } from './durability-contract/durability-crash-writer.js';
