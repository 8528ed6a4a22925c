// Child of durability-crash.test.ts: appends events and transcript lines and enqueues messages through the built
// adapter until SIGKILLed. Usage: node test/durability-crash-writer.mjs <connection string> <schema> <session id> <run id>
import { runDurabilityCrashWriter } from '@agent-runtime/testkit';
import { createPostgresPersistence } from '../dist/index.js';

const [connectionString, schema, sessionId, runId] = process.argv.slice(2);
const adapter = createPostgresPersistence({ connectionString, schema, poolConfig: { max: 1 } });
await runDurabilityCrashWriter({ eventLog: adapter.sessionEventLog(), turnQueue: adapter.turnQueueStore(), transcripts: adapter }, { sessionId, runId });
