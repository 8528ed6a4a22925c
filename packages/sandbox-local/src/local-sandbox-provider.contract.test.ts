import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxContract } from '@agent-runtime/testkit/contracts';
import { createLocalSandboxProvider } from './index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-local-contract-'));

sandboxContract('local (bubblewrap)', () => createLocalSandboxProvider({ dataDir, killGraceMs: 2000 }), {
  cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
});
