import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import type { AgentArchitecture, AgentArchitectureType, PersistenceAdapter } from '@agent-runtime/core';
import { createMemoryPersistence } from '@agent-runtime/persistence-memory';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer, type Scenario } from '@agent-runtime/testkit';
import type { BusEvent } from '../src/event-bus.js';
import { SessionManager, type SessionManagerOptions } from '../src/session-manager.js';

/** Everything an end-to-end test of the engine needs: real CLIs, real sandbox, scripted model. */
export interface RealAgentHarness {
  server: ModelServer;
  dataDir: string;
  persistence: PersistenceAdapter;
  architecture: AgentArchitecture;
  manager: SessionManager;
  events: BusEvent[];
  /** A second manager over the same adapter (a runtime restart). */
  restart(): Promise<{ manager: SessionManager; events: BusEvent[] }>;
  close(): Promise<void>;
}

export function architectureFor(type: AgentArchitectureType, serverUrl: string): AgentArchitecture {
  return type === 'claude-agent-sdk'
    ? createClaudeArchitecture({
        env: { ANTHROPIC_BASE_URL: serverUrl, ANTHROPIC_API_KEY: 'sk-offline-test', CLAUDE_CODE_MAX_RETRIES: '0' },
        model: 'claude-sonnet-4-5',
      })
    : createGeminiArchitecture({ env: { GEMINI_API_KEY: 'offline-test', GOOGLE_GEMINI_BASE_URL: serverUrl }, model: 'gemini-2.5-flash' });
}

export async function startHarness(
  type: AgentArchitectureType,
  scenario: Scenario,
  settings: Partial<SessionManagerOptions> = {},
): Promise<RealAgentHarness> {
  const server = await startModelServer(scenario);
  const dataDir = mkdtempSync(join(tmpdir(), 'engine-e2e-'));
  const persistence = createMemoryPersistence({ profiles: [{ id: 'coder', name: 'Coder', systemPrompt: 'Be brief.' }] });
  const managers: SessionManager[] = [];
  const make = async () => {
    const manager = new SessionManager({
      persistence,
      sandboxProvider: createLocalSandboxProvider({ dataDir }),
      architectures: [architectureFor(type, server.url)],
      idleTimeoutMs: 60_000,
      syncIntervalMs: 1_000,
      ...settings,
    });
    const events: BusEvent[] = [];
    manager.events.subscribe((event) => events.push(event));
    await manager.start();
    managers.push(manager);
    return { manager, events };
  };
  const first = await make();
  return {
    server,
    dataDir,
    persistence,
    architecture: architectureFor(type, server.url),
    ...first,
    restart: make,
    async close() {
      for (const manager of managers) await manager.stop();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first event (already seen or still to come) that satisfies `predicate`. */
export async function waitForEvent(events: BusEvent[], predicate: (event: BusEvent) => boolean, timeoutMs = 60_000): Promise<BusEvent> {
  const started = Date.now();
  for (;;) {
    const found = events.find(predicate);
    if (found) return found;
    if (Date.now() - started > timeoutMs) {
      throw new Error(`timed out; events seen: ${events.map((event) => event.event).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const turnEnds = (events: BusEvent[], sessionId: string) =>
  events.filter((event) => event.event === 'session:turn:end' && event.sessionId === sessionId);

export async function waitForTurns(events: BusEvent[], sessionId: string, count: number) {
  await waitForEvent(events, () => turnEnds(events, sessionId).length >= count);
  return turnEnds(events, sessionId).map((event) => event.data as { outcome: string; error?: { code: string; message: string } });
}
