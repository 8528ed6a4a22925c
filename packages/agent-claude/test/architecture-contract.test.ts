import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { architectureContract } from '@agent-runtime/testkit/contracts';
import { createClaudeArchitecture } from '../src/index.js';

architectureContract('claude-agent-sdk, warm process (local sandbox)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-claude-contract-'));
  return {
    architecture: (url) => createClaudeArchitecture({ processMode: 'warm', env: { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' } }),
    sandboxProvider: () => createLocalSandboxProvider({ dataDir }),
    writeFile: (path, content) => ({ name: 'Write', input: { file_path: `{{cwd}}/${path}`, content } }),
    toolName: 'Write',
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
