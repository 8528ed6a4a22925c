/**
 * Issue 15 item 4: a 100 KB prompt reaches each REAL agent CLI whole, on Modal (the real SDK
 * against the fake, whose argv limit is Modal's 65,536 characters) and in the local bubblewrap
 * sandbox. The prompt must travel through a file or stdin: in argv it would be refused on Modal.
 * Test-only dependencies on the agent packages (nothing in src imports them).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClaudeArchitecture } from '@agent-runtime/agent-claude';
import { createGeminiArchitecture } from '@agent-runtime/agent-gemini';
import type { AgentArchitecture, AgentEvent, AgentProfile, Sandbox, SandboxProvider } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeModalHarness, type FakeModalHarness } from '../test/fake-modal/index.js';
import { createModalSandboxProvider } from './index.js';

const profile: AgentProfile = { id: 'large-prompt', name: 'large-prompt' };
/** 100 KB of text that starts with `-` (an option, if it were ever put in argv) and ends with a marker. */
const PROMPT = `--begin ${'lorem ipsum dolor sit amet '.repeat(3800)}`.slice(0, 100_000 - 9) + ' THE-END.';

let server: ModelServer;
let harness: FakeModalHarness;
const dataDir = mkdtempSync(join(tmpdir(), 'large-prompt-'));
const sandboxes: Sandbox[] = [];

beforeAll(async () => {
  server = await startModelServer();
  harness = await startFakeModalHarness();
});
afterAll(async () => {
  await Promise.all(sandboxes.map((sandbox) => sandbox.terminate().catch(() => undefined)));
  await harness?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const architectures: Record<string, () => AgentArchitecture> = {
  claude: () => createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' } }),
  gemini: () => createGeminiArchitecture({ env: { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model' }),
};
const providers: Record<string, () => SandboxProvider> = {
  'Modal (fake)': () => createModalSandboxProvider({ client: harness.modal, appName: 'large-prompt', allowLocalhostModelUrls: true }),
  local: () => createLocalSandboxProvider({ dataDir }),
};

describe.each(Object.keys(providers))('a 100 KB prompt on %s', (providerName) => {
  it.each(Object.keys(architectures))('reaches %s whole', async (agent) => {
    expect(PROMPT.length).toBe(100_000);
    server.setScenario({ turns: [{ match: { lastUserText: 'THE-END.' }, reply: { text: ['Read it all.'] } }] });
    const architecture = (architectures[agent] as () => AgentArchitecture)();
    const sessionId = `large-${agent}-${providerName.replace(/\W/g, '')}`;
    const sandbox = await (providers[providerName] as () => SandboxProvider)().create({
      sessionId,
      readOnlyPaths: architecture.sandboxReadOnlyPaths(),
      env: architecture.sandboxEnv(),
    });
    sandboxes.push(sandbox);
    await architecture.prepare({ sessionId, sandbox, profile });
    const before = server.requests.length;
    const events: AgentEvent[] = [];
    for await (const event of architecture.runTurn({ sessionId, sandbox, profile, message: PROMPT, turnId: 't1', signal: new AbortController().signal })) {
      events.push(event);
    }
    expect(events.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    const received = server.requests.slice(before).map((request) => request.view?.lastUserText ?? '');
    expect(received.some((text) => text === PROMPT)).toBe(true);
  }, 120_000);
});
