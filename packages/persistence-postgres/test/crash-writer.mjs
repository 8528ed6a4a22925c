// Child of crash.test.ts: writes through the built adapter until SIGKILLed.
// Usage: node test/crash-writer.mjs <connection string> <schema> <session id>
import { runCrashWriter } from '@agent-runtime/testkit';
import { createPostgresPersistence } from '../dist/index.js';

const [connectionString, schema, sessionId] = process.argv.slice(2);
await runCrashWriter(createPostgresPersistence({ connectionString, schema, poolConfig: { max: 1 } }), { sessionId });
