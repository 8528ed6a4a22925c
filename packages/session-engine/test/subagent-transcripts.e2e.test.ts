import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scenario } from '@agent-runtime/testkit';
import { startHarness, waitForEvent, waitForTurns, type RealAgentHarness } from './real-agents.js';

/**
 * Issue 19 (Cover): subagent transcripts persisted and resumed at engine level, with the REAL
 * Claude Code in the local sandbox. A turn runs a synchronous subagent; the stored session holds
 * its transcript apart from the main one, under the id the stream used; after the idle stop, the
 * next turn runs in a new sandbox into which the engine restored the subagent's transcript file
 * (the agent itself prints it with Bash), and getSession still shows the subagent's blocks.
 */
// Each subagent transcript file in the sandbox, and which of the subagent's two messages it holds
// (the files are large: the whole file would not come back inline).
const SUBAGENT_FILES =
  'for f in "${CLAUDE_CONFIG_DIR:-$HOME/.claude}"/projects/*/*/subagents/*.jsonl; do echo "FILE $f"; grep -o -e "SUBAGENT_TASK: what is 6\\*7?" -e "The answer is 42\\." "$f" | sort -u; done';

const scenario: Scenario = {
  name: 'subagent-resume',
  turns: [
    {
      id: 'delegate',
      match: { lastUserText: /delegate this/i, fresh: true },
      reply: { text: 'Delegating.', toolCalls: [{ name: 'Agent', input: { description: 'compute', prompt: 'SUBAGENT_TASK: what is 6*7?', subagent_type: 'general-purpose', run_in_background: false } }] },
    },
    { id: 'subagent', match: { lastUserText: /SUBAGENT_TASK/, fresh: true }, reply: { text: 'The answer is 42.' } },
    { id: 'delegated', match: { lastToolResult: { name: 'Agent' } }, reply: { text: 'The subagent says 42.' } },
    {
      id: 'list',
      match: { lastUserText: /show the subagent files/i },
      reply: { toolCalls: [{ name: 'Bash', input: { command: SUBAGENT_FILES, description: 'print subagent transcripts' } }] },
    },
    { id: 'listed', match: { lastToolResult: { name: 'Bash' } }, reply: { text: 'Printed them.' } },
  ],
  fallback: { text: 'ok' },
};

describe('claude-agent-sdk subagent transcripts through the engine', () => {
  let harness: RealAgentHarness;

  beforeAll(async () => {
    harness = await startHarness('claude-agent-sdk', scenario, { idleTimeoutMs: 2_000, idleWarningMs: 500 });
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('stores the subagent transcript apart, restores it into a new sandbox, keeps its blocks', async () => {
    const { manager, events, persistence, server } = harness;
    const { sessionId } = await manager.createSession({ agentProfileRef: 'coder', architecture: 'claude-agent-sdk' });
    await manager.sendMessage(sessionId, { content: 'Please delegate this.' });
    const [first] = await waitForTurns(events, sessionId, 1);
    expect(first).toMatchObject({ outcome: 'completed' });

    // The id the stream used for the subagent.
    const discovered = events.find((event) => event.event === 'session:subagent:discovered' && event.sessionId === sessionId);
    const subagentId = (discovered?.data as { subagent: { id: string } } | undefined)?.subagent.id;
    expect(subagentId).toEqual(expect.any(String));
    const streamedOnSubagent = events.filter(
      (event) => event.sessionId === sessionId && event.event === 'session:block:start' && (event.data as { conversationId?: string }).conversationId === subagentId,
    );
    expect(streamedOnSubagent.length).toBeGreaterThan(0);

    const live = await manager.getSession(sessionId);
    expect(live.blocks.find((block) => block.type === 'subagent')).toMatchObject({ subagentId, status: 'success', output: 'The answer is 42.' });
    const liveSubagent = live.subagents?.find((subagent) => subagent.id === subagentId);
    expect(liveSubagent?.blocks.map((block) => block.type)).toEqual(['user_message', 'assistant_text']);
    expect(liveSubagent?.blocks.at(-1)).toMatchObject({ content: 'The answer is 42.' });

    // Stored apart from the main transcript, under the same id.
    const saved = await persistence.loadSession(sessionId);
    expect(saved?.subagents?.map((subagent) => subagent.id)).toEqual([subagentId]);
    const storedSubagent = saved!.subagents![0]!.rawTranscript!;
    expect(storedSubagent).toContain('SUBAGENT_TASK: what is 6*7?');
    expect(storedSubagent).toContain('The answer is 42.');
    expect(storedSubagent).not.toContain('The subagent says 42.');
    expect(saved!.rawTranscript).toContain('The subagent says 42.');
    expect(saved!.rawTranscript).not.toBe(storedSubagent);
    const parsed = harness.architecture.parseTranscripts({ main: saved!.rawTranscript, subagents: [{ id: subagentId!, rawTranscript: storedSubagent }] });
    expect(parsed.subagents.map((subagent) => subagent.id)).toEqual([subagentId]);
    expect(parsed.subagents[0]!.blocks).toEqual(liveSubagent!.blocks);

    // The sandbox stops when idle.
    await waitForEvent(events, (event) =>
      event.event === 'session:status' && event.sessionId === sessionId && (event.data as { status: string }).status === 'inactive');
    expect(readdirSync(join(harness.dataDir, 'sandboxes')).length).toBe(0);

    // The next turn runs in a new sandbox: the agent prints the subagent transcript files it finds there.
    await manager.sendMessage(sessionId, { content: 'Now show the subagent files.' });
    const [, second] = await waitForTurns(events, sessionId, 2);
    expect(second).toMatchObject({ outcome: 'completed' });
    const listed = server.requests.filter((request) => request.turnId === 'listed').at(-1);
    const output = listed?.view?.toolResults?.find((result) => result.name === 'Bash');
    expect(output?.isError).toBe(false);
    expect(output?.output).toContain(`/subagents/agent-${subagentId}.jsonl`);
    expect(output?.output).toContain('SUBAGENT_TASK: what is 6*7?');
    expect(output?.output).toContain('The answer is 42.');

    // getSession shows the subagent's blocks, same ids as before; so does a new manager.
    const afterResume = (await manager.getSession(sessionId)).subagents?.find((subagent) => subagent.id === subagentId);
    expect(afterResume?.blocks.map((block) => block.id)).toEqual(liveSubagent!.blocks.map((block) => block.id));
    await manager.stop();
    const restarted = await harness.restart();
    const reloaded = (await restarted.manager.getSession(sessionId)).subagents?.find((subagent) => subagent.id === subagentId);
    expect(reloaded?.blocks).toEqual(liveSubagent!.blocks);
    await restarted.manager.stop();
  });
});
