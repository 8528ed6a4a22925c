import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryPersistence } from '@agent-runtime/persistence-memory';
import { startHarness, waitForTurns, type RealAgentHarness } from './real-agents.js';

/**
 * A profile's `defaultWorkspaceFiles` are in the workspace before the REAL Claude Code's first
 * turn: the agent reads one (under bubblewrap, local sandbox) and the model receives its content.
 */
describe('defaultWorkspaceFiles with the real Claude Code', () => {
  let harness: RealAgentHarness;

  beforeAll(async () => {
    harness = await startHarness('claude-agent-sdk', {
      turns: [
        { id: 'read', match: { lastUserText: 'read the brief', fresh: true }, reply: { toolCalls: [{ name: 'Read', input: { file_path: '{{cwd}}/docs/brief.md' } }] } },
        { id: 'answer', match: { lastToolResult: { name: 'Read' } }, reply: { text: 'Read it.' } },
      ],
    });
    await (harness.persistence as MemoryPersistence).seedProfiles([
      { id: 'seeded', name: 'Seeded', defaultWorkspaceFiles: [{ path: 'docs/brief.md', content: 'DEFAULT-WORKSPACE-FILE-7\n' }] },
    ]);
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('the agent reads a default workspace file on its first turn', async () => {
    const { manager, events, server } = harness;
    const { sessionId } = await manager.createSession({ agentProfileRef: 'seeded', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'Please read the brief.' });
    expect(await waitForTurns(events, sessionId, 1)).toMatchObject([{ outcome: 'completed' }]);
    const answer = server.generationRequests('anthropic').find((request) => request.turnId === 'answer');
    expect(answer?.view?.toolResults).toMatchObject([{ name: 'Read', isError: false }]);
    expect(JSON.stringify(answer?.view?.toolResults)).toContain('DEFAULT-WORKSPACE-FILE-7');
  });
});
