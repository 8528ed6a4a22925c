import { expect, it } from 'vitest';
import { expectSingleEnd, randomId, runTurn } from './helpers.js';
import type { ArchitectureContractContext } from './subject.js';

/** `resume`: stored transcripts carry the conversation into a new sandbox. */
export function sessionTests(context: ArchitectureContractContext): void {
  const { architecture, server, newSandbox, profile, skips, settings } = context;

  it.skipIf(skips('resume'))('resume: a new sandbox prepared with stored transcripts sends the earlier turn to the model', async () => {
    const firstText = 'Remember the contract word quince';
    server().setScenario({
      turns: [
        { match: { lastUserText: 'contract word quince' }, reply: { text: 'Noted.' } },
        { match: { lastUserText: 'Which word' }, reply: { text: 'It was quince.' } },
      ],
    });
    const sessionId = randomId('resume');
    const first = await newSandbox(sessionId);
    expect(expectSingleEnd(await runTurn(architecture(), first, profile, firstText))).toMatchObject({ outcome: 'completed' });
    const transcripts = await architecture().readTranscripts(first, sessionId);
    await first.terminate();

    const second = await newSandbox(sessionId, transcripts);
    expect(expectSingleEnd(await runTurn(architecture(), second, profile, 'Which word was it?'))).toMatchObject({ outcome: 'completed' });
    const resumed = server().generationRequests().find((request) => request.turnId === 'turn-1');
    expect(resumed, 'the second turn reached the model').toBeDefined();
    expect(JSON.stringify(resumed?.body)).toContain(firstText);
    expect(server().unusedTurnIds()).toEqual([]);
  }, settings.testTimeoutMs);
}
