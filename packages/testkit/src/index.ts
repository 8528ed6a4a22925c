// Runtime helpers with no test-runner dependency: the scripted model server, test doubles and the
// crash-test writer. Contract suites (which import vitest) live on `@agent-runtime/testkit/contracts`.
// How to launch each real CLI lives in the agent packages (claudeCodeEnv, geminiCliEnv, ...).
export * from './model-server/index.js';
export * from './doubles/index.js';
export * from './engine-server/index.js';
export * from './mcp/index.js';
export { runCrashWriter, type CrashWriterLine } from './persistence-contract/crash-writer.js';
export { runDurabilityCrashWriter, type DurabilityCrashLine, type DurabilityCrashStores, type DurabilityCrashWriterOptions } from './durability-contract/durability-crash-writer.js';
