/**
 * The local sandbox's workspace disk cap ends a REAL Claude Code turn with a coded error: the
 * scripted model makes the CLI's Bash tool fill the workspace; the sandbox kills the CLI and the
 * turn ends with LIMIT_EXCEEDED (issue 12 item 4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentEvent, AgentProfile } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { type ModelServer, startModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClaudeArchitecture } from '../src/index.js';

let server: ModelServer;
let architecture: ReturnType<typeof createClaudeArchitecture>;
const dataDir = mkdtempSync(join(tmpdir(), 'agent-claude-disk-'));
const provider = createLocalSandboxProvider({ dataDir, killGraceMs: 200 });

beforeAll(async () => {
  server = await startModelServer();
  architecture = createClaudeArchitecture({ env: { ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: 'sk-ant-test', CLAUDE_CODE_MAX_RETRIES: '0' } });
});
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

it('a Bash command filling the workspace past limits.workspaceMiB ends the turn with LIMIT_EXCEEDED', async () => {
  const sessionId = 's-disk-limit';
  const sandbox = await provider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv(), limits: { workspaceMiB: 8 } });
  try {
    const profile: AgentProfile = { id: 'p', name: 'p' };
    await architecture.prepare({ sessionId, sandbox, profile });
    const fill = 'i=0; while true; do head -c 1048576 /dev/zero > fill-$i; i=$((i+1)); done';
    server.setScenario({
      turns: [
        { match: { fresh: true }, reply: { toolCalls: [{ name: 'Bash', input: { command: fill, description: 'fill the disk' } }] } },
        { match: { lastToolResult: true }, reply: { text: 'done' } },
      ],
    });
    const events: AgentEvent[] = [];
    for await (const event of architecture.runTurn({ sessionId, sandbox, profile, message: 'fill it', turnId: 't1', signal: new AbortController().signal })) {
      events.push(event);
    }
    expect(events.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'error', error: { code: 'LIMIT_EXCEEDED' } });
    expect(sandbox.limitError?.details).toMatchObject({ limit: 'workspaceMiB' });
    // The files stay; the sandbox is still usable once it shrinks.
    expect((await sandbox.listFiles()).some((file) => file.path.startsWith('fill-'))).toBe(true);
  } finally {
    await sandbox.terminate();
  }
});
