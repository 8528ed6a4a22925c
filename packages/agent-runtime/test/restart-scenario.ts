import type { Scenario } from '@agent-runtime/testkit';

/**
 * The model of the restart tests: "… take your time" gets a slow reply (60 words, 250 ms apart:
 * time enough to kill the runtime in the middle of the turn), "This is turn N." a short one in parts.
 */
export const slowTurnScenario: Scenario = {
  turns: [
    { id: 'slow', match: { lastUserText: /take your time/i }, reply: { text: Array.from({ length: 60 }, () => 'word '), chunkDelayMs: 250 }, times: 'always' },
    { id: 'answer', match: { lastUserText: /turn \d/i }, reply: { text: ['Answer ', 'in ', 'parts.'], chunkDelayMs: 20 }, times: 'always' },
  ],
  fallback: { text: 'ok' },
};
