/**
 * A parked Gemini CLI (prepareSpare) against the REAL CLI under bubblewrap and the scripted model
 * server: the first turn through the spare streams the same blocks as a cold first turn, leaves
 * the session file as a cold run writes it (the next turn resumes it), and a spare whose start-up
 * differs from the turn's (another model) is not used.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { AgentEvent, AgentProfile, Logger, Sandbox } from '@agent-runtime/core';
import { noopLogger } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { startModelServer, type ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiArchitecture } from './create-gemini-architecture.js';
import { findGeminiSessionFiles, geminiSessionUuid } from './gemini-paths.js';

let server: ModelServer;
let architecture: ReturnType<typeof createGeminiArchitecture>;
const messages: string[] = [];
const logger: Logger = { ...noopLogger, info: (_fields: unknown, message?: string) => void messages.push(String(message)) } as Logger;
const sandboxes: Sandbox[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'agent-gemini-spares-'));
const provider = createLocalSandboxProvider({ dataDir });
const profile: AgentProfile = { id: 'plain', name: 'Plain' };

beforeAll(async () => {
  server = await startModelServer();
  server.setScenario({
    turns: [
      { match: { lastUserText: 'Make notes' }, reply: { text: ['Writing notes.'], toolCalls: [{ name: 'write_file', input: { file_path: 'notes.txt', content: 'draft\n' } }] }, times: 100 },
      { match: { lastToolResult: { name: 'write_file' } }, reply: { text: ['Notes written.'] }, times: 100 },
      { match: { lastUserText: 'And now?' }, reply: { text: ['Still here.'] }, times: 100 },
    ],
  });
  architecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model', logger });
});
afterAll(async () => {
  await architecture?.dispose();
  await Promise.all(sandboxes.map((sandbox) => sandbox.terminate()));
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A sandbox as the pool makes one, with a spare parked in it when `spare`. */
async function sessionSandbox(spare: boolean) {
  const sessionId = randomUUID();
  const sandbox = await provider.create({ sessionId, readOnlyPaths: architecture.sandboxReadOnlyPaths(), env: architecture.sandboxEnv() });
  sandboxes.push(sandbox);
  if (spare) await architecture.prepareSpare!({ sessionId, sandbox });
  return { sessionId, sandbox };
}

async function turn(sessionId: string, sandbox: Sandbox, message: string, turnProfile = profile) {
  await architecture.prepare({ sessionId, sandbox, profile: turnProfile });
  const events: AgentEvent[] = [];
  for await (const event of architecture.runTurn({ sessionId, sandbox, profile: turnProfile, message, turnId: 't', signal: new AbortController().signal })) events.push(event);
  return events;
}

/** The blocks a turn streamed, without ids, times and the sandbox's own paths. */
const streamedBlocks = (events: AgentEvent[], sandbox: Sandbox) =>
  events.flatMap((event) =>
    event.type === 'block:complete'
      ? [JSON.stringify(event.block, (key, value) => (/^(id|.*At|timestamp|toolUseId|durationMs)$/.test(key) ? undefined : value)).replaceAll(sandbox.workspacePath, '<workspace>')]
      : [],
  );

async function sessionFile(sandbox: Sandbox, sessionId: string): Promise<string> {
  const files = await findGeminiSessionFiles(sandbox, geminiSessionUuid(sessionId));
  return new TextDecoder().decode(await sandbox.readFile(files!.main, { root: 'home' }));
}

/** The session file's records, without what differs between any two runs (ids, times, paths). */
const records = (text: string, workspace: string) =>
  text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((record) => !('$set' in record && Object.keys(record.$set as object).join() === 'lastUpdated'))
    .map((record) => JSON.stringify(record, (key, value) => (/^(id|sessionId|projectHash|startTime|lastUpdated|timestamp|callId|durationMs)$/.test(key) ? undefined : value)).replaceAll(workspace, '<workspace>').replace(/\/tmp\/[^"\\]*/g, '<path>'));

describe('a parked Gemini CLI for a new session’s first turn (real CLI)', () => {
  it('streams the same blocks and writes the same session file as a cold first turn; the next turn resumes it', async () => {
    const cold = await sessionSandbox(false);
    const coldEvents = await turn(cold.sessionId, cold.sandbox, 'Make notes');
    const parked = await sessionSandbox(true);
    messages.length = 0;
    const parkedEvents = await turn(parked.sessionId, parked.sandbox, 'Make notes');
    expect(messages).toContain('gemini-cli: the first turn runs in the parked spare process');
    expect(parkedEvents.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    expect(streamedBlocks(parkedEvents, parked.sandbox)).toEqual(streamedBlocks(coldEvents, cold.sandbox));
    const coldFile = await sessionFile(cold.sandbox, cold.sessionId);
    const parkedFile = await sessionFile(parked.sandbox, parked.sessionId);
    expect(parkedFile).toContain('"type":"user","content":[{"text":"Make notes"}]');
    expect(records(parkedFile, parked.sandbox.workspacePath)).toEqual(records(coldFile, cold.sandbox.workspacePath));
    const parsed = architecture.parseTranscripts({ main: parkedFile, subagents: [] }).main;
    expect(parsed.filter((block) => block.type === 'user_message')).toHaveLength(1);

    const next = await turn(parked.sessionId, parked.sandbox, 'And now?');
    expect(next.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    expect(JSON.stringify(next)).toContain('Still here.');
  });

  it('warm mode: the first turn runs in the spare, the ACP process started by warm() then loads its file for the second', async () => {
    const warmArchitecture = createGeminiArchitecture({ env: { GEMINI_API_KEY: 'test-key', GOOGLE_GEMINI_BASE_URL: server.url }, model: 'fake-model', logger, processMode: 'warm' });
    try {
      const sessionId = randomUUID();
      const sandbox = await provider.create({ sessionId, readOnlyPaths: warmArchitecture.sandboxReadOnlyPaths(), env: warmArchitecture.sandboxEnv() });
      sandboxes.push(sandbox);
      await warmArchitecture.prepareSpare!({ sessionId, sandbox });
      await warmArchitecture.prepare({ sessionId, sandbox, profile });
      await warmArchitecture.warm({ sessionId, sandbox, profile });
      messages.length = 0;
      const run = async (message: string) => {
        const events: AgentEvent[] = [];
        for await (const event of warmArchitecture.runTurn({ sessionId, sandbox, profile, message, turnId: 't', signal: new AbortController().signal })) events.push(event);
        return events;
      };
      const first = await run('Make notes');
      expect(messages).toContain('gemini-cli: the first turn runs in the parked spare process');
      expect(first.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
      const second = await run('And now?');
      expect(second.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
      expect(JSON.stringify(second)).toContain('Still here.');
      expect(warmArchitecture.warmProcesses()).toHaveLength(1);
      // The second turn's request carries the first turn's history, prompt without the keep-alive byte.
      expect(JSON.stringify(server.generationRequests('gemini').at(-1)?.body)).toContain('"text":"Make notes"');
    } finally {
      await warmArchitecture.dispose();
    }
  });

  it('does not use a spare that started with another model; the cold turn starts a new session', async () => {
    const { sessionId, sandbox } = await sessionSandbox(true);
    messages.length = 0;
    const events = await turn(sessionId, sandbox, 'Make notes', { ...profile, model: 'other-model' });
    expect(messages).toContain('gemini-cli: the spare process cannot serve this turn; starting the CLI as usual');
    expect(messages).not.toContain('gemini-cli: the first turn runs in the parked spare process');
    expect(events.at(-1)).toMatchObject({ type: 'turn:end', outcome: 'completed' });
    expect(server.generationRequests('gemini').at(-1)?.view?.model).toBe('other-model');
    // The spare's begun session file was deleted: one user message, not a resumed session.
    const parsed = architecture.parseTranscripts({ main: await sessionFile(sandbox, sessionId), subagents: [] }).main;
    expect(parsed.filter((block) => block.type === 'user_message')).toHaveLength(1);
  });
});
