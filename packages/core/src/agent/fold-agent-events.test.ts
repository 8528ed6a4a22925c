import { describe, expect, it } from 'vitest';
import type { AgentEvent } from './agent-events.js';
import { foldAgentEvents } from './fold-agent-events.js';

const timestamp = '2026-01-01T00:00:00.000Z';

describe('foldAgentEvents', () => {
  it('folds block events per conversation, main first, and skips other events', () => {
    const events: AgentEvent[] = [
      { type: 'block:start', conversationId: 'sub1', block: { id: 's:0', timestamp, type: 'assistant_text', content: 'Hi' } },
      { type: 'block:start', conversationId: 'main', block: { id: 'm:0', timestamp, type: 'assistant_text', content: '' } },
      { type: 'block:delta', conversationId: 'main', blockId: 'm:0', delta: 'Hello' },
      { type: 'metadata', model: 'x' },
      { type: 'turn:end', outcome: 'completed' },
    ];
    const folded = foldAgentEvents(events);
    expect([...folded.keys()]).toEqual(['main', 'sub1']);
    expect(folded.get('main')).toEqual([{ id: 'm:0', timestamp, type: 'assistant_text', content: 'Hello' }]);
    expect(folded.get('sub1')).toEqual([{ id: 's:0', timestamp, type: 'assistant_text', content: 'Hi' }]);
    expect(foldAgentEvents([]).get('main')).toEqual([]);
  });

  it('skips events for unknown blocks, or throws INVALID_INPUT when strict', () => {
    const stray: AgentEvent[] = [{ type: 'block:delta', conversationId: 'main', blockId: 'nope', delta: '!' }];
    expect(foldAgentEvents(stray).get('main')).toEqual([]);
    expect(() => foldAgentEvents(stray, { strict: true })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    const toolDelta: AgentEvent[] = [
      { type: 'block:start', conversationId: 'main', block: { id: 't1', timestamp, type: 'tool_use', toolName: 'Write', toolUseId: 't1', input: {}, status: 'pending' } },
      { type: 'block:delta', conversationId: 'main', blockId: 't1', delta: '!' },
    ];
    expect(() => foldAgentEvents(toolDelta, { strict: true })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
