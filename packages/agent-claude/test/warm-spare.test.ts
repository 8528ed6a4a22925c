/**
 * Spare Claude Code processes (SDK `prewarm()`) parked in a pooled sandbox before its session's
 * profile is known, against the REAL CLI and the scripted model server, under bubblewrap: the
 * session's warm-up claims the spare, the profile reaches the model, the transcript is the
 * session's and resumes; a profile a claim cannot apply starts its CLI as usual.
 */
import { foldAgentEvents, type AgentEvent, type AgentProfile, type Sandbox } from '@agent-runtime/core';
import type { ModelServer } from '@agent-runtime/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClaudeArchitecture } from '../src/index.js';
import { ClaudeTestHarness } from './claude-test-harness.js';

const harness = new ClaudeTestHarness('agent-claude-spare-', { processMode: 'warm' });
let server: ModelServer;
let architecture: ClaudeArchitecture;

beforeAll(async () => {
  ({ server, architecture } = await harness.start());
});
afterAll(() => harness.stop());

/** A pooled sandbox: created and given a spare before any profile, then prepared for `profile` (the claim). */
async function pooledSandbox(sessionId: string, profile: AgentProfile) {
  const sandbox = await harness.createSandbox(sessionId);
  await architecture.prepareSpare!({ sessionId, sandbox });
  await architecture.prepare({ sessionId, sandbox, profile });
  return sandbox;
}

async function turn(sandbox: Sandbox, profile: AgentProfile, message: string) {
  const events: AgentEvent[] = [];
  const context = { sessionId: sandbox.sessionId, sandbox, profile, message, turnId: `turn-${Math.random()}`, signal: new AbortController().signal };
  for await (const event of architecture.runTurn(context)) events.push(event);
  return events;
}

const processOf = (sessionId: string) => architecture.warmProcesses().find((process) => process.sessionId === sessionId);
const outcomes = (events: AgentEvent[]) => events.flatMap((event) => (event.type === 'turn:end' ? [event.outcome] : []));

describe('claude-agent-sdk spare processes (real CLI)', () => {
  it("the session's warm-up claims the parked spare; profile, CLAUDE.md and transcript are the session's; a killed process resumes the full history", async () => {
    const profile: AgentProfile = { id: 'spare', name: 'Spare', systemPrompt: 'SPARE-SYSTEM-PROMPT', agentMDFile: 'SPARE-PROJECT-NOTES' };
    const sandbox = await pooledSandbox('s-claimed', profile);
    server.setScenario({ turns: [
      { match: { lastUserText: 'favourite colour' }, reply: { text: 'Noted: teal.' } },
      { match: { lastUserText: 'what colour' }, reply: { text: 'You said teal.' } },
    ] });
    const before = server.generationRequests('anthropic').length;
    await architecture.warm!({ sessionId: 's-claimed', sandbox, profile });
    const claimed = processOf('s-claimed');
    expect(claimed).toMatchObject({ fromSpare: true, turns: 0 });
    const turn1 = await turn(sandbox, profile, 'My favourite colour is teal.');
    expect(outcomes(turn1)).toEqual(['completed']);
    const request = JSON.stringify(server.generationRequests('anthropic').slice(before).at(-1)!.body);
    expect(request).toContain('SPARE-SYSTEM-PROMPT');
    expect(request).toContain('SPARE-PROJECT-NOTES');
    expect(processOf('s-claimed')).toMatchObject({ processId: claimed!.processId, turns: 1 });
    const transcripts = await architecture.readTranscripts(sandbox, 's-claimed');
    expect(foldAgentEvents(turn1).get('main')).toEqual(architecture.parseTranscripts(transcripts).main);

    architecture.stopWarmProcess('s-claimed', { kill: true });
    while (processOf('s-claimed')) await new Promise((resolve) => setTimeout(resolve, 50));
    const turn2 = await turn(sandbox, profile, 'what colour did I say?');
    expect(outcomes(turn2)).toEqual(['completed']);
    expect(processOf('s-claimed')).toMatchObject({ fromSpare: false });
    expect(JSON.stringify(server.generationRequests('anthropic').at(-1)!.body)).toContain('Noted: teal.');
  });

  it('a profile that restricts tools cannot take the spare: its CLI starts as usual and the turn works', async () => {
    const profile: AgentProfile = { id: 'tools', name: 'Tools', tools: ['Read'] };
    const sandbox = await pooledSandbox('s-tools', profile);
    server.setScenario({ turns: [{ match: { lastUserText: 'hello' }, reply: { text: 'Hi.' } }] });
    const events = await turn(sandbox, profile, 'hello');
    expect(outcomes(events)).toEqual(['completed']);
    expect(processOf('s-tools')).toMatchObject({ fromSpare: false });
    const tools = (server.generationRequests('anthropic').at(-1)!.body as { tools?: { name: string }[] }).tools ?? [];
    const names = tools.map((tool) => tool.name);
    expect(names).toContain('Read');
    expect(names).not.toContain('Bash');
  });
});
