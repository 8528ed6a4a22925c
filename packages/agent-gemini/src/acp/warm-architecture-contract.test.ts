import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { architectureContract } from '@agent-runtime/testkit/contracts';
import { createGeminiArchitecture, type GeminiArchitecture } from '../create-gemini-architecture.js';

let architecture: GeminiArchitecture | undefined;

architectureContract('gemini-cli warm (gemini --acp, local sandbox)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-warm-contract-'));
  const processOf = (sessionId: string) => architecture?.warmProcesses().find((process) => process.sessionId === sessionId);
  return {
    architecture: (url) =>
      (architecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: url }, model: 'fake-model', processMode: 'warm' })),
    warmProcesses: {
      processId: (sessionId) => processOf(sessionId)?.processId,
      kill: (sessionId) => void architecture?.stopWarmProcess(sessionId, { kill: true }),
    },
    sandboxProvider: () => createLocalSandboxProvider({ dataDir }),
    writeFile: (path, content) => ({ name: 'write_file', input: { file_path: path, content } }),
    toolName: 'write_file',
    cleanup: async () => {
      await architecture?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});
