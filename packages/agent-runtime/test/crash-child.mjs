// A runtime in its own process, for the crash test: it prints its URL, then serves until killed.
import { AgentRuntime, createClaudeArchitecture, createGeminiArchitecture, createSqlitePersistence } from '../dist/index.js';

const runtime = new AgentRuntime({
  persistence: createSqlitePersistence({ filename: process.env.CRASH_DB }),
  dataDir: process.env.CRASH_DATA_DIR,
  websocketPort: 0,
  host: '127.0.0.1',
  logLevel: 'error',
  syncIntervalMs: 60_000,
  architectures: [
    process.env.CRASH_AGENT === 'gemini-cli'
      ? createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: process.env.CRASH_MODEL_URL }, model: 'gemini-2.5-flash' })
      : createClaudeArchitecture({
          env: { ANTHROPIC_BASE_URL: process.env.CRASH_MODEL_URL, ANTHROPIC_API_KEY: 'sk-test', CLAUDE_CODE_MAX_RETRIES: '0' },
          model: 'claude-sonnet-4-5',
        }),
  ],
});
await runtime.start();
process.stdout.write(`${JSON.stringify({ url: runtime.url })}\n`);
