import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { architectureContract } from '@agent-runtime/testkit/contracts';
import { createGeminiArchitecture } from './create-gemini-architecture.js';

architectureContract('gemini-cli (local sandbox)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-contract-'));
  return {
    architecture: (url) => createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: url }, model: 'fake-model' }),
    sandboxProvider: () => createLocalSandboxProvider({ dataDir }),
    writeFile: (path, content) => ({ name: 'write_file', input: { file_path: path, content } }),
    toolName: 'write_file',
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
});
