// A runtime in its own process for the restart tests: SQLite at RUNTIME_DB, both real CLIs pointed
// at the scripted model server, a fixed port (so a client reconnects to the restarted runtime).
// Prints its URL; SIGTERM stops it gracefully; SIGKILL is a crash.
import { AgentRuntime, createClaudeArchitecture, createGeminiArchitecture, createSqlitePersistence } from '../dist/index.js';

const runtime = new AgentRuntime({
  persistence: createSqlitePersistence({ filename: process.env.RUNTIME_DB }),
  dataDir: process.env.RUNTIME_DATA_DIR,
  websocketPort: Number(process.env.RUNTIME_PORT),
  host: '127.0.0.1',
  logLevel: process.env.RUNTIME_LOG_LEVEL ?? 'error',
  syncIntervalMs: 60_000,
  architectures: [
    createClaudeArchitecture({
      env: { ANTHROPIC_BASE_URL: process.env.RUNTIME_MODEL_URL, ANTHROPIC_API_KEY: 'sk-test', CLAUDE_CODE_MAX_RETRIES: '0' },
      model: 'claude-sonnet-4-5',
    }),
    createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: process.env.RUNTIME_MODEL_URL }, model: 'gemini-2.5-flash' }),
  ],
});
process.on('SIGTERM', () => {
  runtime.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
await runtime.start();
process.stdout.write(`${JSON.stringify({ url: runtime.url })}\n`);
