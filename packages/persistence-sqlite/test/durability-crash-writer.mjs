// Child of durability-crash.test.ts: appends events and transcript lines and enqueues messages through the built
// adapter until SIGKILLed. Usage: node test/durability-crash-writer.mjs <database file> <session id> <run id>
import { runDurabilityCrashWriter } from '@agent-runtime/testkit';
import { createSqlitePersistence } from '../dist/index.js';

const [filename, sessionId, runId] = process.argv.slice(2);
const adapter = createSqlitePersistence({ filename });
await runDurabilityCrashWriter({ eventLog: adapter.sessionEventLog(), turnQueue: adapter.turnQueueStore(), transcripts: adapter }, { sessionId, runId });
