import { describe, expect, it } from 'vitest';
import { BlockList, foldBlockEvents } from './block-list.js';

const timestamp = '2026-01-01T00:00:00.000Z';

describe('BlockList', () => {
  it('folds start, delta, update and complete', () => {
    const blocks = foldBlockEvents([
      { type: 'block:start', block: { id: 'm1:0', timestamp, type: 'assistant_text', content: '' } },
      { type: 'block:delta', blockId: 'm1:0', delta: 'Hel' },
      { type: 'block:delta', blockId: 'm1:0', delta: 'lo' },
      { type: 'block:start', block: { id: 't1', timestamp, type: 'tool_use', toolName: 'Write', toolUseId: 't1', input: {}, status: 'pending' } },
      { type: 'block:update', blockId: 't1', updates: { status: 'running', input: { file_path: 'a' } } },
      { type: 'block:complete', blockId: 't1', block: { id: 't1', timestamp, type: 'tool_use', toolName: 'Write', toolUseId: 't1', input: { file_path: 'a' }, status: 'success' } },
    ]);
    expect(blocks).toEqual([
      { id: 'm1:0', timestamp, type: 'assistant_text', content: 'Hello' },
      { id: 't1', timestamp, type: 'tool_use', toolName: 'Write', toolUseId: 't1', input: { file_path: 'a' }, status: 'success' },
    ]);
  });

  it('keeps position when a block restarts and ignores events for unknown blocks', () => {
    const list = new BlockList();
    list.apply({ type: 'block:start', block: { id: 'a', timestamp, type: 'thinking', content: 'x' } });
    list.apply({ type: 'block:start', block: { id: 'b', timestamp, type: 'thinking', content: 'y' } });
    list.apply({ type: 'block:start', block: { id: 'a', timestamp, type: 'thinking', content: 'z' } });
    expect(list.apply({ type: 'block:delta', blockId: 'nope', delta: '!' })).toBeUndefined();
    expect(list.toArray().map((block) => block.id)).toEqual(['a', 'b']);
    expect(list.get('a')).toMatchObject({ content: 'z' });
  });
});
