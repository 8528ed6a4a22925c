import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { architectureContract } from '@agent-runtime/testkit/contracts';
import { createClaudeArchitecture, type ClaudeArchitecture } from '../src/index.js';

architectureContract('claude-agent-sdk, warm process (local sandbox)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-claude-contract-'));
  let architecture: ClaudeArchitecture | undefined;
  const processOf = (sessionId: string) => architecture?.warmProcesses().find((process) => process.sessionId === sessionId);
  return {
    architecture: (url) =>
      (architecture = createClaudeArchitecture({ processMode: 'warm', env: { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' } })),
    warmProcesses: {
      processId: (sessionId) => processOf(sessionId)?.processId,
      kill: (sessionId) => void architecture?.stopWarmProcess(sessionId, { kill: true }),
    },
    sandboxProvider: () => createLocalSandboxProvider({ dataDir }),
    writeFile: (path, content) => ({ name: 'Write', input: { file_path: `{{cwd}}/${path}`, content } }),
    toolName: 'Write',
    cleanup: async () => {
      await architecture?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
