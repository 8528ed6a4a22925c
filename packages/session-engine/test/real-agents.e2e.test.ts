import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasErrorCode, type AgentArchitectureType, type SessionStatus } from '@agent-runtime/core';
import { createLocalSandboxProvider } from '@agent-runtime/sandbox-local';
import { notesScenario } from './scenarios.js';
import { startHarness, waitForEvent, waitForTurns, type RealAgentHarness } from './real-agents.js';

/**
 * The engine with the REAL Claude Code and Gemini CLI, in the local bubblewrap sandbox, against
 * the scripted model server: create -> message -> streamed blocks -> persisted transcript and
 * files -> idle stop -> resume with full history -> a new manager over the same adapter.
 */
const agents: AgentArchitectureType[] = ['claude-agent-sdk', 'gemini-cli'];

const statusIs = (sessionId: string, status: SessionStatus) => (event: { event: string; data: unknown }) =>
  event.event === 'session:status' && (event.data as { sessionId: string; status: string }).sessionId === sessionId &&
  (event.data as { status: string }).status === status;

function requestText(body: unknown): string {
  return JSON.stringify(body);
}

describe.each(agents)('%s end to end', (type) => {
  let harness: RealAgentHarness;
  const claude = type === 'claude-agent-sdk';

  beforeAll(async () => {
    harness = await startHarness(type, notesScenario(type), { idleTimeoutMs: 2_000, idleWarningMs: 500 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('streams a tool turn, persists it, stops when idle, resumes with history, survives a restart', async () => {
    const { manager, events, persistence, server } = harness;
    const { sessionId } = await manager.createSession({ agentProfileRef: 'coder', architecture: type });
    await manager.sendMessage(sessionId, { content: 'Please create the notes file.' });
    const [first] = await waitForTurns(events, sessionId, 1);
    expect(first).toMatchObject({ outcome: 'completed' });

    // Streamed: deltas, the tool call, the file.
    const mine = events.filter((event) => event.sessionId === sessionId);
    expect(mine.some((event) => event.event === 'session:block:delta')).toBe(true);
    expect(mine.some((event) => event.event === 'session:file:created' && (event.data as { file?: { path: string } }).file?.path === 'notes.md')).toBe(true);
    const live = await manager.getSession(sessionId);
    const types = live.blocks.map((block) => block.type);
    expect(types).toContain('user_message');
    expect(types).toContain('tool_use');
    expect(types).toContain('tool_result');
    expect(live.blocks.find((block) => block.type === 'tool_use')).toMatchObject({ status: 'success' });
    if (claude) expect(types).toContain('thinking');
    expect(live.blocks.at(-1)).toMatchObject({ type: 'assistant_text', content: 'notes.md is ready.' });

    // Persisted: transcript and file, before the turn end went out.
    const saved = await persistence.loadSession(sessionId);
    expect(saved?.rawTranscript?.length).toBeGreaterThan(0);
    expect(saved?.workspaceFiles.find((file) => file.path === 'notes.md')?.content).toBe('first line\n');
    expect(saved?.workspaceFiles.some((file) => file.path.startsWith('.claude') || file.path.startsWith('.gemini'))).toBe(false);

    // The blocks built from the stream equal the blocks parsed from the stored transcript.
    const parsed = harness.architecture.parseTranscripts({ main: saved!.rawTranscript, subagents: [] });
    expect(live.blocks).toEqual(parsed.main);

    // Idle timeout: warning, sandbox stopped, status inactive.
    await waitForEvent(events, statusIs(sessionId, 'inactive'));
    expect(events.some((event) => event.event === 'session:idle:warning' && event.sessionId === sessionId)).toBe(true);
    expect((await persistence.loadSession(sessionId))?.status).toBe('inactive');
    expect(readdirSync(join(harness.dataDir, 'sandboxes')).length).toBe(0);

    // Next message: new sandbox, full history reaches the model.
    await manager.sendMessage(sessionId, { content: 'What did you do?' });
    const [, second] = await waitForTurns(events, sessionId, 2);
    expect(second).toMatchObject({ outcome: 'completed' });
    const recall = server.requests.filter((request) => request.turnId === 'recall').at(-1);
    expect(recall).toBeDefined();
    expect(requestText(recall!.body)).toContain('Please create the notes file.');
    expect(requestText(recall!.body)).toContain(claude ? '"name":"Write"' : 'write_file');
    expect(requestText(recall!.body)).toContain('notes.md is ready.');

    // A new manager over the same adapter lists the session, rebuilds the same blocks, resumes.
    const streamedBlocks = (await manager.getSession(sessionId)).blocks;
    await manager.stop();
    const restarted = await harness.restart();
    expect(restarted.manager.listSessions().map((session) => session.sessionId)).toContain(sessionId);
    const reloaded = await restarted.manager.getSession(sessionId);
    expect(reloaded.blocks).toEqual(streamedBlocks);
    expect(reloaded.workspaceFiles.map((file) => file.path)).toContain('notes.md');
    await restarted.manager.sendMessage(sessionId, { content: 'What did you do, again?' });
    const [third] = await waitForTurns(restarted.events, sessionId, 1);
    expect(third).toMatchObject({ outcome: 'completed' });
    const again = server.requests.filter((request) => request.turnId === 'recall').at(-1)!;
    expect(requestText(again.body)).toContain('Please create the notes file.');
    expect(requestText(again.body)).toContain('What did you do?');
    await restarted.manager.stop();
  });
});

describe.each(agents)('%s failures and isolation', (type) => {
  let harness: RealAgentHarness;

  beforeAll(async () => {
    harness = await startHarness(type, notesScenario(type));
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('a sandbox killed mid-turn gives an error, and the session takes the next message', async () => {
    const { manager, events, dataDir } = harness;
    const { sessionId } = await manager.createSession({ agentProfileRef: 'coder', architecture: type });
    await manager.sendMessage(sessionId, { content: 'Take your time, please.' });
    await waitForEvent(events, (event) => event.event === 'session:block:delta' && event.sessionId === sessionId);
    // Kill every process of the sandbox from outside, as a crash or the OOM killer would.
    const [info] = (await createLocalSandboxProvider({ dataDir }).list!({})).filter((sandbox) => sandbox.sessionId === sessionId);
    execFileSync('pkill', ['-KILL', '-f', info!.id]);

    const [ended] = await waitForTurns(events, sessionId, 1);
    expect(ended!.outcome).toBe('error');
    expect(events.some((event) => event.event === 'error' && event.sessionId === sessionId)).toBe(true);

    await manager.sendMessage(sessionId, { content: 'What did you do?' });
    const [, next] = await waitForTurns(events, sessionId, 2);
    expect(next).toMatchObject({ outcome: 'completed' });
  });

  it('two sessions in parallel do not see each other\'s files or events', async () => {
    const { manager, events } = harness;
    const a = await manager.createSession({ agentProfileRef: 'coder', architecture: type });
    const b = await manager.createSession({ agentProfileRef: 'coder', architecture: type });
    await Promise.all([
      manager.sendMessage(a.sessionId, { content: 'Please create the notes file.' }),
      manager.sendMessage(b.sessionId, { content: 'What did you do?' }),
    ]);
    await Promise.all([waitForTurns(events, a.sessionId, 1), waitForTurns(events, b.sessionId, 1)]);
    const sessionA = await manager.getSession(a.sessionId);
    const sessionB = await manager.getSession(b.sessionId);
    expect(sessionA.workspaceFiles.map((file) => file.path)).toContain('notes.md');
    expect(sessionB.workspaceFiles.map((file) => file.path)).not.toContain('notes.md');
    expect(JSON.stringify(sessionB.blocks)).not.toContain('notes.md is ready');
    // The file event for notes.md went to A's stream only; B's stream never mentions it.
    const fileEventsFor = (sessionId: string) =>
      events.filter((event) => event.sessionId === sessionId && event.event.startsWith('session:file')).map((event) => (event.data as { path: string }).path);
    expect(fileEventsFor(a.sessionId)).toContain('notes.md');
    expect(fileEventsFor(b.sessionId)).not.toContain('notes.md');
    const bEvents = events.filter((event) => event.sessionId === b.sessionId);
    expect(bEvents.length).toBeGreaterThan(0);
    expect(JSON.stringify(bEvents)).not.toContain('notes.md is ready');
  });

  it('a message to an unknown or terminated session gets a clear error', async () => {
    const { manager } = harness;
    await expect(manager.sendMessage('no-such-session', { content: 'hi' })).rejects.toSatisfy((error) => hasErrorCode(error, 'SESSION_NOT_FOUND'));
    const { sessionId } = await manager.createSession({ agentProfileRef: 'coder', architecture: type });
    await manager.terminateSession(sessionId);
    await expect(manager.sendMessage(sessionId, { content: 'hi' })).rejects.toSatisfy((error) => hasErrorCode(error, 'SESSION_TERMINATED'));
    expect(existsSync(harness.dataDir)).toBe(true);
  });
});
