import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import { createSqlitePersistence } from '@agent-runtime/persistence-sqlite';
import { AgentRuntime, type AgentArchitectureType, type AgentRuntimeOptions } from '../src/index.js';

/** A runtime on a free local port, SQLite at `database`, the real CLIs pointed at the scripted model. */
export function offlineRuntime(options: {
  database: string;
  dataDir: string;
  modelServerUrl: string;
  agents?: AgentArchitectureType[];
  /** Server options (auth, limits, allowed hosts...). */
  server?: AgentRuntimeOptions['server'];
  /** Claude's process mode (default: the architecture's, `warm` unless AGENT_RUNTIME_CLAUDE_PROCESS says otherwise). */
  claudeProcessMode?: 'warm' | 'per-turn';
}) {
  const persistence = createSqlitePersistence({ filename: options.database });
  const agents = options.agents ?? ['claude-agent-sdk', 'gemini-cli'];
  const runtime = new AgentRuntime({
    persistence,
    dataDir: options.dataDir,
    websocketPort: 0,
    host: '127.0.0.1',
    logLevel: 'error',
    ...(options.server ? { server: options.server } : {}),
    architectures: agents.map((type) =>
      type === 'claude-agent-sdk'
        ? createClaudeArchitecture({
            env: { ANTHROPIC_BASE_URL: options.modelServerUrl, ANTHROPIC_API_KEY: 'sk-test', CLAUDE_CODE_MAX_RETRIES: '0' },
            model: 'claude-sonnet-4-5',
            ...(options.claudeProcessMode ? { processMode: options.claudeProcessMode } : {}),
          })
        : createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test', GOOGLE_GEMINI_BASE_URL: options.modelServerUrl }, model: 'gemini-2.5-flash' }),
    ),
  });
  return { persistence, runtime };
}
