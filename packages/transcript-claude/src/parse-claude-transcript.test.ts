import { describe, expect, it } from 'vitest';
import { parseClaudeTranscript } from './index.js';

const user = (uuid: string, text: string, extra: object = {}) => JSON.stringify({ type: 'user', uuid, timestamp: '2026-01-01T00:00:00.000Z', message: { role: 'user', content: text }, ...extra });
const assistant = (id: string, content: object, index?: number, timestamp = '2026-01-01T00:00:01.000Z') =>
  JSON.stringify({ type: 'assistant', uuid: `u-${id}-${index}`, timestamp, apiBlockIndex: index, message: { id, model: 'm', content: [content] } });

describe('parseClaudeTranscript', () => {
  it('merges the lines of one API response by message id', () => {
    const jsonl = [
      user('u1', 'hi'),
      assistant('msg_1', { type: 'thinking', thinking: 'hmm', signature: 's' }, 0),
      assistant('msg_1', { type: 'text', text: 'hello' }, 1),
      assistant('msg_1', { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } }, 2),
      JSON.stringify({ type: 'user', uuid: 'u2', timestamp: '2026-01-01T00:00:03.000Z', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' }] } }),
    ].join('\n');
    const { blocks, skipped } = parseClaudeTranscript(jsonl);
    expect(skipped).toEqual([]);
    expect(blocks.map((block) => block.id)).toEqual(['u1', 'msg_1:0', 'msg_1:1', 'toolu_1', 'toolu_1:result']);
    expect(blocks[3]).toMatchObject({ status: 'success', description: 'ls' });
    expect(blocks[4]).toMatchObject({ output: 'a.txt', isError: false, durationMs: 2000 });
  });

  it('counts garbage, a truncated last line and unknown entry types as skips, never throws', () => {
    const good = user('u1', 'hi');
    const jsonl = [good, 'this is not json', '{"type":"brand-new-thing","x":1}', '[1,2]', '{"type":"queue-operation"}', good.slice(0, 40)].join('\n');
    const { blocks, skipped } = parseClaudeTranscript(jsonl);
    expect(blocks).toHaveLength(1);
    expect(skipped).toEqual([
      { line: 2, reason: 'invalid JSON (truncated line?)' },
      { line: 3, reason: 'unknown entry type: brand-new-thing' },
      { line: 4, reason: 'not a JSON object' },
      { line: 5, reason: 'non-message entry: queue-operation' },
      { line: 6, reason: 'invalid JSON (truncated line?)' },
    ]);
  });

  it('skips meta user entries and system reminders', () => {
    const jsonl = [
      user('u1', '<system-reminder>x</system-reminder>', { isMeta: true }),
      JSON.stringify({ type: 'user', uuid: 'u2', timestamp: 't', message: { role: 'user', content: [{ type: 'text', text: '<system-reminder>r</system-reminder>' }, { type: 'text', text: 'real' }] } }),
    ].join('\n');
    const { blocks, skipped } = parseClaudeTranscript(jsonl);
    expect(skipped).toEqual([{ line: 1, reason: 'meta user entry' }]);
    expect(blocks).toEqual([{ id: 'u2', timestamp: 't', type: 'user_message', content: [{ type: 'text', text: 'real' }] }]);
  });

  it('keeps a tool call without result running, and a duplicate line once', () => {
    const line = assistant('msg_2', { type: 'tool_use', id: 'toolu_2', name: 'Read', input: { file_path: 'a' } }, 0);
    const { blocks } = parseClaudeTranscript(`${line}\n${line}\n`);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ status: 'running' });
  });

  it('never throws on odd shapes', () => {
    const odd = ['{"type":"assistant"}', '{"type":"assistant","message":{"id":"m","content":null}}', '{"type":"user","message":{}}', '{"type":"user","message":{"content":[null,5]}}', '{}', 'null', '"str"'];
    const { blocks, skipped } = parseClaudeTranscript(odd.join('\n'));
    expect(blocks).toEqual([]);
    expect(skipped).toHaveLength(odd.length);
  });
});
