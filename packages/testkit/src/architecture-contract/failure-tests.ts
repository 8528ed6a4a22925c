import { expect, it } from 'vitest';
import type { AgentEvent } from '@agent-runtime/core';
import { expectSingleEnd, randomId, runTurn } from './helpers.js';
import type { ArchitectureContractContext } from './subject.js';

/** `model-error` and `interrupt`: a turn that cannot complete still ends exactly once. */
export function failureTests(context: ArchitectureContractContext): void {
  const { architecture, server, newSandbox, profile, skips, settings } = context;
  const timeout = settings.testTimeoutMs;

  it.skipIf(skips('model-error'))('model-error: HTTP 500 from the model gives one turn:end with outcome error and a code', async () => {
    server().setScenario({ turns: [{ error: { status: 500, message: 'scripted contract failure' }, times: 'always' }] });
    const sandbox = await newSandbox(randomId('error'));
    const end = expectSingleEnd(await runTurn(architecture(), sandbox, profile, 'This will fail'));
    expect(end.outcome).toBe('error');
    expect(end.error?.code, 'turn:end.error.code').toEqual(expect.any(String));
    expect(end.error?.code.length).toBeGreaterThan(0);
  }, timeout);

  it.skipIf(skips('interrupt'))('interrupt: aborting during a slow streamed reply gives one turn:end with outcome interrupted', async () => {
    const chunks = Array.from({ length: 40 }, (_, index) => `chunk${index} `);
    // 40 chunks 300 ms apart: about 12 s if the abort were ignored.
    server().setScenario({ turns: [{ match: { lastUserText: 'talk slowly' }, reply: { text: chunks, chunkDelayMs: 300 } }] });
    const sandbox = await newSandbox(randomId('interrupt'));
    const controller = new AbortController();
    let abortedAt: number | undefined;
    const streamingStarted = (event: AgentEvent) =>
      event.type === 'block:delta' || (event.type === 'block:start' && event.block.type === 'assistant_text');
    const turn = runTurn(architecture(), sandbox, profile, 'Please talk slowly', {
      signal: controller.signal,
      onEvent: (event) => {
        if (abortedAt === undefined && streamingStarted(event)) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    });
    const bound = settings.interruptWithinMs;
    let timer: NodeJS.Timeout | undefined;
    const tooSlow = new Promise<never>((_, reject) => {
      const check = () => {
        if (abortedAt !== undefined && Date.now() - abortedAt > bound) reject(new Error(`the turn did not end within ${bound} ms of the abort`));
        else timer = setTimeout(check, 100);
      };
      check();
    });
    const events = await Promise.race([turn, tooSlow]).finally(() => clearTimeout(timer));
    expect(abortedAt, 'the reply started streaming').toBeDefined();
    expect(expectSingleEnd(events)).toMatchObject({ outcome: 'interrupted' });
    const streamed = events.map((event) => (event.type === 'block:delta' ? event.delta : '')).join('');
    expect(streamed).not.toContain(chunks.at(-1)!.trim());
  }, timeout);
}
