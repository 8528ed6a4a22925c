// Child of crash.test.ts: writes through the built adapter until SIGKILLed.
// Usage: node test/crash-writer.mjs <database file> <session id>
import { runCrashWriter } from '@agent-runtime/testkit';
import { createSqlitePersistence } from '../dist/index.js';

const [filename, sessionId] = process.argv.slice(2);
await runCrashWriter(createSqlitePersistence({ filename }), { sessionId });
