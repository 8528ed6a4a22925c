import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { foldAgentEvents, type AgentEvent, type AgentProfile, type Sandbox } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiArchitecture } from './create-gemini-architecture.js';

/** The real CLI under bubblewrap (`@agent-runtime/sandbox-local`), including a resume in a second sandbox. */
describe('gemini-cli in the local bubblewrap sandbox', () => {
  let server: ModelServer;
  let dataDir: string;
  const sandboxes: Sandbox[] = [];
  const profile: AgentProfile = { id: 'p', name: 'p' };

  beforeAll(async () => {
    server = await startModelServer();
    dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-local-'));
  });
  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes a file, then resumes the conversation in a new sandbox', async () => {
    server.setScenario({
      turns: [
        { match: { lastUserText: 'Write hello' }, reply: { thinking: ['**Plan** write it'], text: ['Writing.'], toolCalls: [{ name: 'write_file', input: { file_path: 'hello.txt', content: 'hi\n' } }] } },
        { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Written.'] } },
        { match: { lastUserText: 'What did you write' }, reply: { text: ['hello.txt'] } },
      ],
    });
    const architecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'k', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model' });
    const provider = createLocalSandboxProvider({ dataDir });
    const create = async () => {
      const sandbox = await provider.create({ sessionId: 'local-1', readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
      sandboxes.push(sandbox);
      return sandbox;
    };
    const run = async (sandbox: Sandbox, message: string) => {
      const events: AgentEvent[] = [];
      for await (const event of architecture.runTurn({ sessionId: 'local-1', sandbox, profile, message, turnId: 't', signal: new AbortController().signal })) events.push(event);
      return events;
    };

    const first = await create();
    await architecture.prepare({ sessionId: 'local-1', sandbox: first, profile });
    const events1 = await run(first, 'Write hello');
    expect(events1.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    expect(readFileSync(join(first.workspacePath, 'hello.txt'), 'utf8')).toBe('hi\n');
    const stored = await architecture.readTranscripts(first, 'local-1');
    const parsed1 = architecture.parseTranscripts(stored).main;
    expect(foldAgentEvents(events1, { strict: true }).get('main')).toEqual(parsed1);
    expect(parsed1.map((b) => b.type)).toEqual(['user_message', 'assistant_text', 'tool_use', 'thinking', 'tool_result', 'assistant_text']);
    await first.terminate();

    const second = await create();
    await architecture.prepare({ sessionId: 'local-1', sandbox: second, profile, transcripts: stored });
    const events2 = await run(second, 'What did you write?');
    expect(events2.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    const contents = JSON.stringify((server.generationRequests('gemini').at(-1)!.body as { contents: unknown }).contents);
    expect(contents).toContain('Write hello');
    expect(contents).toContain('functionResponse');
    const parsed2 = architecture.parseTranscripts(await architecture.readTranscripts(second, 'local-1')).main;
    expect(parsed2.slice(0, parsed1.length)).toEqual(parsed1);
    expect(foldAgentEvents(events2, { strict: true }).get('main')).toEqual(parsed2.slice(parsed1.length));
  });
});
