// Shared by the benchmarks that time turns through the runtime: the real session engine with
// memory persistence (profile `bench`) and the default local sandbox — its own network
// namespace, the model reached only through the egress proxy (which adds the key).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { SessionManager } from '@agent-runtime/session-engine';

/**
 * @param {{ warmPool?: boolean }} [options] `warmPool`: keep one spare sandbox for the architecture
 * @returns {Promise<{ manager: SessionManager, dataDir: string, close(): Promise<void> }>} a started engine; `close` stops it and removes its data folder
 */
export async function startBenchEngine(architecture, options = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-engine-'));
  const manager = new SessionManager({
    persistence: createMemoryPersistence({ profiles: [{ id: 'bench', name: 'Bench' }] }),
    sandboxProvider: createLocalSandboxProvider({ dataDir, network: 'none' }),
    architectures: [architecture],
    idleTimeoutMs: 600_000,
    syncIntervalMs: 30_000,
    ...(options.warmPool ? { warmPool: { sizes: { [architecture.type]: 1 } } } : {}),
  });
  await manager.start();
  return {
    manager,
    dataDir,
    async close() {
      await manager.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Sends one message and times it: `first` is ms from the send to the session's first block event
 * that is not the user's own message; resolves at the turn end with its outcome.
 */
export function timedTurn(manager, sessionId, content) {
  return new Promise((resolve) => {
    let first;
    let started;
    const off = manager.events.subscribe((event) => {
      if (event.sessionId !== sessionId) return;
      if (first === undefined && event.event.startsWith('session:block:') && !JSON.stringify(event.data).includes('"user_message"')) first = performance.now() - started;
      if (event.event === 'session:turn:end') {
        off();
        resolve({ first, outcome: event.data.outcome });
      }
    });
    started = performance.now();
    manager.sendMessage(sessionId, { content });
  });
}
