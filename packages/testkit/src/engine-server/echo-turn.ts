import type { ConversationBlock } from '@agent-runtime/core';
import type { ScriptedTurn } from '../doubles/scripted-architecture.js';

function text(id: string, content: string): ConversationBlock {
  return { id, timestamp: '2026-01-01T00:00:00.000Z', type: 'assistant_text', content };
}

/**
 * A scripted turn that replies "echo: <message>" in `deltas` chunks, writes `out.txt` and reports
 * usage. Before each chunk it awaits `gate(turnIndex, chunkIndex)`, so a test can hold a turn
 * mid-stream.
 */
export function echoTurn(options: { deltas?: number; gate?: (turnIndex: number, chunk: number) => Promise<void> } = {}): ScriptedTurn {
  return async function* (context, turnIndex) {
    const id = `reply-${context.turnId}`;
    const message = typeof context.message === 'string' ? context.message : 'parts';
    const chunks = ['echo: ', ...Array.from({ length: (options.deltas ?? 2) - 1 }, (_, index) => (index === 0 ? message : `.${index}`))];
    yield { type: 'block:start', conversationId: 'main', block: text(id, '') };
    for (const [index, chunk] of chunks.entries()) {
      await options.gate?.(turnIndex, index);
      yield { type: 'block:delta', conversationId: 'main', blockId: id, delta: chunk };
    }
    await context.sandbox.writeFile('out.txt', `turn ${turnIndex}: ${message}`);
    yield { type: 'metadata', usage: { inputTokens: 10, outputTokens: 2 }, model: 'scripted' };
    yield { type: 'block:complete', conversationId: 'main', blockId: id, block: text(id, chunks.join('')) };
  };
}
