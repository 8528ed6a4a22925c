import type { AgentEvent } from '@agent-runtime/core';
import { expect, it } from 'vitest';
import { expectSingleEnd, expectStreamEqualsTranscripts, randomId, runTurn } from './helpers.js';
import type { ArchitectureContractContext } from './subject.js';

const streamingStarted = (event: AgentEvent) => event.type === 'block:delta' || (event.type === 'block:start' && event.block.type === 'assistant_text');

/**
 * `warm-interrupt-then-turn` and `warm-killed-between-turns`: an architecture that keeps one
 * process per session keeps it through an interrupt, and replaces a killed one transparently.
 * Skipped (reported) when the subject has no `warmProcesses`.
 */
export function warmProcessTests(context: ArchitectureContractContext): void {
  const { architecture, server, newSandbox, profile, skips, settings, subject } = context;
  const timeout = settings.testTimeoutMs;

  it.skipIf(skips('warm-interrupt-then-turn'))('warm-interrupt-then-turn: after an interrupt the next turn completes in the same process', async (test) => {
    const warm = subject().warmProcesses;
    if (!warm) return test.skip('the subject has no warmProcesses');
    server().setScenario({ turns: [
      { match: { lastUserText: 'talk slowly' }, reply: { text: Array.from({ length: 40 }, (_, index) => `chunk${index} `), chunkDelayMs: 300 } },
      { match: { lastUserText: 'and now' }, reply: { text: 'Done quickly.' } },
    ] });
    const sandbox = await newSandbox(randomId('warm-interrupt'));
    const controller = new AbortController();
    const first = await runTurn(architecture(), sandbox, profile, 'Please talk slowly', {
      signal: controller.signal,
      onEvent: (event) => {
        if (streamingStarted(event)) controller.abort();
      },
    });
    expect(expectSingleEnd(first)).toMatchObject({ outcome: 'interrupted' });
    const process = warm.processId(sandbox.sessionId);
    expect(process, 'the process survives the interrupt').toBeDefined();
    const second = await runTurn(architecture(), sandbox, profile, 'and now?');
    expect(expectSingleEnd(second)).toMatchObject({ outcome: 'completed' });
    expect(warm.processId(sandbox.sessionId), 'the next turn ran in the same process').toBe(process);
    // Text streams as deltas, or (a warm process may deliver a reply whole) in the completed block.
    const streamed = second.map((event) => (event.type === 'block:delta' ? event.delta : '')).join('');
    const completed = second.map((event) => (event.type === 'block:complete' && event.block.type === 'assistant_text' ? event.block.content : '')).join('');
    expect(`${streamed}\n${completed}`).toContain('Done quickly.');
  }, timeout);

  it.skipIf(skips('warm-killed-between-turns'))('warm-killed-between-turns: a killed process is replaced and the next turn resumes the full history', async (test) => {
    const warm = subject().warmProcesses;
    if (!warm) return test.skip('the subject has no warmProcesses');
    server().setScenario({ turns: [
      { match: { lastUserText: 'favourite colour' }, reply: { text: 'Noted: indigo.' } },
      { match: { lastUserText: 'what colour' }, reply: { text: 'You said indigo.' } },
    ] });
    const sandbox = await newSandbox(randomId('warm-killed'));
    const first = await runTurn(architecture(), sandbox, profile, 'My favourite colour is indigo.');
    expect(expectSingleEnd(first)).toMatchObject({ outcome: 'completed' });
    const killed = warm.processId(sandbox.sessionId);
    expect(killed, 'a process is kept after the turn').toBeDefined();
    await warm.kill(sandbox.sessionId);
    const deadline = Date.now() + 15_000;
    while (warm.processId(sandbox.sessionId) === killed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(warm.processId(sandbox.sessionId), 'the killed process is gone').not.toBe(killed);
    const second = await runTurn(architecture(), sandbox, profile, 'what colour did I say?');
    expect(expectSingleEnd(second)).toMatchObject({ outcome: 'completed' });
    const replacement = warm.processId(sandbox.sessionId);
    expect(replacement).toBeDefined();
    expect(replacement).not.toBe(killed);
    expect(JSON.stringify(server().generationRequests().at(-1)!.body), 'the earlier turn reached the model').toContain('Noted: indigo.');
    await expectStreamEqualsTranscripts(architecture(), sandbox, [...first, ...second]);
  }, timeout);
}
