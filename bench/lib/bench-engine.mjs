// Shared by the benchmarks that time turns through the runtime: the real session engine with
// memory persistence (profile `bench`) and the default local sandbox — its own network
// namespace, the model reached only through the egress proxy (which adds the key).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { SessionManager } from '@agent-runtime/session-engine';

/** @returns {Promise<{ manager: SessionManager, close(): Promise<void> }>} a started engine; `close` stops it and removes its data folder */
export async function startBenchEngine(architecture) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
  const manager = new SessionManager({
    persistence: createMemoryPersistence({ profiles: [{ id: 'bench', name: 'Bench' }] }),
    sandboxProvider: createLocalSandboxProvider({ dataDir, network: 'none' }),
    architectures: [architecture],
    idleTimeoutMs: 600_000,
    syncIntervalMs: 30_000,
  });
  await manager.start();
  return {
    manager,
    async close() {
      await manager.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
