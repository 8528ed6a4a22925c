import { describe, expect, it } from 'vitest';
import { parseGeminiSession } from './parse-gemini-session.js';
import { readFixture } from './test-support/replay.js';

describe('parseGeminiSession on recorded sessions', () => {
  it('maps text, thinking (subject -> summary) and usage, and skips the session context', () => {
    const { blocks, skipped, sessionId } = parseGeminiSession(readFixture('text-thinking-resume', 'run-1.session.jsonl'));
    expect(skipped).toEqual([]);
    expect(sessionId).toBe('00000000-0000-4000-8000-000000000001');
    expect(blocks.map((b) => b.type)).toEqual(['user_message', 'assistant_text', 'thinking']);
    const [user, text, thinking] = blocks;
    expect(user).toMatchObject({ type: 'user_message', content: 'Say hello' });
    expect(text).toMatchObject({
      id: `${user!.id}:0:text`,
      content: 'Hello there!',
      model: 'fake-model',
      usage: { inputTokens: 12, outputTokens: 4, thinkingTokens: 3 },
    });
    expect(thinking).toMatchObject({ id: `${user!.id}:0:thought:0`, content: 'They asked for a hello.', summary: 'Greeting the user' });
  });

  it('keeps earlier blocks identical after a resume rewrote the history with $set.messages', () => {
    for (const scenario of ['text-thinking-resume', 'tool-loop']) {
      const before = parseGeminiSession(readFixture(scenario, 'run-1.session.jsonl')).blocks;
      const after = parseGeminiSession(readFixture(scenario, 'run-2.session.jsonl')).blocks;
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after.length).toBeGreaterThan(before.length);
      expect(after[before.length]).toMatchObject({ type: 'user_message' });
    }
  });

  it('maps a tool loop: tool_use + tool_result pairs with status, a failed call, and final text', () => {
    const { blocks } = parseGeminiSession(readFixture('tool-loop', 'run-1.session.jsonl'));
    expect(blocks.map((b) => (b.type === 'tool_use' ? `tool_use:${b.toolName}:${b.status}` : b.type))).toEqual([
      'user_message',
      'assistant_text',
      'tool_use:write_file:success',
      'thinking',
      'tool_result',
      'tool_use:replace:success',
      'tool_result',
      'tool_use:read_file:error',
      'tool_result',
      'assistant_text',
    ]);
    const failed = blocks[8]!;
    expect(failed).toMatchObject({ type: 'tool_result', isError: true, toolUseId: 'read_file__call_fake_0007' });
    expect(String((failed as { output: unknown }).output)).toContain('File not found');
    expect(blocks[2]).toMatchObject({ displayName: 'WriteFile', input: { file_path: 'notes.txt', content: 'one\n' } });
    expect(blocks[4]).toMatchObject({ toolUseId: 'write_file__call_fake_0003', isError: false });
    expect(typeof (blocks[4] as { durationMs?: number }).durationMs).toBe('number');
  });

  it('follows the CLI when a model error drops the failed prompt from the history', () => {
    // The CLI records the prompt, then `$set.messages` removes it again once the request fails.
    const text = readFixture('model-error', 'run-1.session.jsonl');
    expect(text).toContain('Fail please');
    expect(parseGeminiSession(text)).toMatchObject({ blocks: [], skipped: [] });
  });

  it('is deterministic: parsing twice gives the same ids', () => {
    const text = readFixture('tool-loop', 'run-2.session.jsonl');
    expect(parseGeminiSession(text).blocks.map((b) => b.id)).toEqual(parseGeminiSession(text).blocks.map((b) => b.id));
  });
});

describe('parseGeminiSession on damaged or unusual input', () => {
  const good = readFixture('text-thinking-resume', 'run-1.session.jsonl');

  it('counts a garbage line, a truncated last line and unknown records as skips, never throws', () => {
    const text =
      good +
      'not json at all\n' +
      '{"kind":"mystery"}\n' +
      '42\n' +
      '{"id":"x1","type":"hologram","content":"?"}\n' +
      '{"id":"cut","timestamp":"2026-11-27T06:00:00.000Z","type":"gem';
    const { blocks, skipped } = parseGeminiSession(text);
    expect(skipped.map((s) => s.reason)).toEqual([
      'invalid-json',
      'unknown-record',
      'unknown-record',
      'unknown-message-type',
      'truncated-line',
    ]);
    expect(skipped[0]!.line).toBe(good.split('\n').length);
    expect(blocks).toEqual(parseGeminiSession(good).blocks);
  });

  it('returns nothing for empty or hostile input', () => {
    expect(parseGeminiSession('')).toEqual({ blocks: [], skipped: [] });
    expect(parseGeminiSession('\n\n').blocks).toEqual([]);
    expect(parseGeminiSession('{"$set":{"messages":"nope"}}\n[1,2]\nnull\n').skipped).toHaveLength(2);
    expect(() => parseGeminiSession('{"id":"a","type":"gemini","content":{"weird":true},"toolCalls":"x","thoughts":5}\n')).not.toThrow();
  });

  it('drops rewound messages ($rewindTo)', () => {
    const lines = [
      '{"sessionId":"s","projectHash":"h"}',
      '{"id":"u1","timestamp":"2026-01-01T00:00:00.000Z","type":"user","content":[{"text":"first"}]}',
      '{"id":"g1","timestamp":"2026-01-01T00:00:01.000Z","type":"gemini","content":"one"}',
      '{"id":"u2","timestamp":"2026-01-01T00:00:02.000Z","type":"user","content":[{"text":"second"}]}',
      '{"$rewindTo":"u2"}',
    ];
    expect(parseGeminiSession(lines.join('\n')).blocks.map((b) => b.id)).toEqual(['u1', 'u1:0:text']);
  });

  it('reads history that only exists as Part[] (thought parts, functionCall, functionResponse records)', () => {
    const messages = [
      { id: 'u1', timestamp: '2026-01-01T00:00:00.000Z', type: 'user', content: [{ text: 'do it' }] },
      {
        id: 'g1',
        timestamp: '2026-01-01T00:00:01.000Z',
        type: 'gemini',
        content: [
          { text: '**Plan** write it', thought: true },
          { text: 'Writing.' },
          { functionCall: { id: 'c1', name: 'write_file', args: { file_path: 'a' } } },
        ],
      },
      { id: 'g1_response', timestamp: '2026-01-01T00:00:02.000Z', type: 'user', content: [{ functionResponse: { id: 'c1', name: 'write_file', response: { output: 'ok' } } }] },
      { id: 'g2', timestamp: '2026-01-01T00:00:03.000Z', type: 'gemini', content: [{ text: 'done' }] },
    ];
    const text = `{"sessionId":"s","projectHash":"h"}\n${JSON.stringify({ $set: { messages } })}\n`;
    expect(parseGeminiSession(text).blocks).toEqual([
      { id: 'u1', type: 'user_message', timestamp: '2026-01-01T00:00:00.000Z', content: 'do it' },
      { id: 'u1:0:text', type: 'assistant_text', timestamp: '2026-01-01T00:00:01.000Z', content: 'Writing.' },
      { id: 'u1:0:tool:c1', type: 'tool_use', timestamp: '2026-01-01T00:00:01.000Z', toolName: 'write_file', toolUseId: 'c1', input: { file_path: 'a' }, status: 'success' },
      { id: 'u1:0:thought:0', type: 'thinking', timestamp: '2026-01-01T00:00:01.000Z', content: 'write it', summary: 'Plan' },
      { id: 'u1:0:result:c1', type: 'tool_result', timestamp: '2026-01-01T00:00:01.000Z', toolUseId: 'c1', output: 'ok', isError: false },
      { id: 'u1:1:text', type: 'assistant_text', timestamp: '2026-01-01T00:00:03.000Z', content: 'done' },
    ]);
  });

  it('gives the same blocks when that Part[] history arrives as live lines (records mapped early and released)', () => {
    const messages = [
      { id: 'u1', timestamp: '2026-01-01T00:00:00.000Z', type: 'user', content: [{ text: 'do it' }] },
      { id: 'g1', timestamp: '2026-01-01T00:00:01.000Z', type: 'gemini', content: [{ text: 'Writing.' }, { functionCall: { id: 'c1', name: 'write_file', args: { file_path: 'a' } } }] },
      { id: 'r1', timestamp: '2026-01-01T00:00:02.000Z', type: 'user', content: [{ functionResponse: { id: 'c1', name: 'write_file', response: { output: 'ok' } } }] },
      { id: 'g2', type: 'gemini', content: 'done, no timestamp' },
      { id: 'i1', timestamp: '2026-01-01T00:00:04.000Z', type: 'info', content: 'note' },
    ];
    const header = '{"sessionId":"s","projectHash":"h"}';
    const live = [header, ...messages.map((m) => JSON.stringify(m)), JSON.stringify(messages[1])].join('\n');
    const viaSet = `${header}\n${JSON.stringify({ $set: { messages } })}\n`;
    const blocks = parseGeminiSession(live).blocks;
    expect(blocks).toEqual(parseGeminiSession(viaSet).blocks);
    expect(blocks.map((b) => `${b.id}@${b.timestamp}`)).toEqual([
      'u1@2026-01-01T00:00:00.000Z',
      'u1:0:text@2026-01-01T00:00:01.000Z',
      'u1:0:tool:c1@2026-01-01T00:00:01.000Z',
      'u1:0:result:c1@2026-01-01T00:00:01.000Z',
      'u1:1:text@2026-01-01T00:00:02.000Z',
      'i1@2026-01-01T00:00:04.000Z',
    ]);
    expect(blocks[3]).toMatchObject({ output: 'ok', isError: false });
    // A resume rewrite brings the (released) live records back: their fields still win.
    const resumed = `${live}\n${header}\n${JSON.stringify({ $set: { messages: messages.map((m) => ('timestamp' in m ? { ...m, timestamp: '2027-01-01T00:00:00.000Z' } : m)) } })}\n`;
    expect(parseGeminiSession(resumed).blocks).toEqual(blocks);
  });

  it('accepts the older single-JSON session format', () => {
    const legacy = JSON.stringify(
      {
        sessionId: 'old',
        projectHash: 'h',
        messages: [
          { id: 'u1', timestamp: '2025-01-01T00:00:00.000Z', type: 'user', content: 'hi' },
          { id: 'g1', timestamp: '2025-01-01T00:00:01.000Z', type: 'gemini', content: 'hello', thoughts: [{ subject: 'S', description: 'D' }] },
        ],
      },
      null,
      2,
    );
    const { blocks, skipped, sessionId } = parseGeminiSession(legacy);
    expect(skipped).toEqual([]);
    expect(sessionId).toBe('old');
    expect(blocks.map((b) => `${b.type}:${b.id}`)).toEqual(['user_message:u1', 'assistant_text:u1:0:text', 'thinking:u1:0:thought:0']);
  });
});
