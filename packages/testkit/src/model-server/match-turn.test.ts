import { describe, expect, it } from 'vitest';
import { viewAnthropicRequest } from './anthropic-request.js';
import { viewGeminiRequest } from './gemini-request.js';
import { matchesText, matchesTurn } from './match-turn.js';
import { ScenarioPlayer, validateScenario } from './scenario-player.js';

const reminder = '<system-reminder>\nContext stuff\n</system-reminder>';

const anthropicLoop = {
  model: 'claude-test',
  stream: true,
  system: [{ type: 'text', text: 'You are Claude Code.' }],
  tools: [{ name: 'Write' }, { name: 'Agent' }],
  messages: [
    { role: 'user', content: [{ type: 'text', text: reminder }, { type: 'text', text: 'Please create a.txt' }] },
    { role: 'system', content: '# Environment' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: {} }] },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'File created successfully', is_error: false }, { type: 'text', text: reminder }] },
  ],
};

describe('viewAnthropicRequest', () => {
  it('reads the last user text without system reminders', () => {
    const view = viewAnthropicRequest({ ...anthropicLoop, messages: anthropicLoop.messages.slice(0, 2) });
    expect(view).toMatchObject({ api: 'anthropic', fresh: true, lastUserText: 'Please create a.txt', toolResults: [], system: 'You are Claude Code.', toolNames: ['Write', 'Agent'] });
  });

  it('names tool results after the assistant tool_use with the same id', () => {
    const view = viewAnthropicRequest(anthropicLoop);
    expect(view.fresh).toBe(false);
    expect(view.lastUserText).toBe('');
    expect(view.toolResults).toEqual([{ id: 'toolu_1', name: 'Write', output: 'File created successfully', isError: false }]);
  });

  it('does not look past an assistant message for a reminder-only turn', () => {
    const notification = `<system-reminder>\n<task-notification>\n<result>42</result>\n</task-notification>\n</system-reminder>`;
    const view = viewAnthropicRequest({
      ...anthropicLoop,
      messages: [...anthropicLoop.messages, { role: 'assistant', content: [{ type: 'text', text: 'ok' }] }, { role: 'user', content: [{ type: 'text', text: notification }] }],
    });
    expect(view).toMatchObject({ lastUserText: '', toolResults: [] });
    expect(view.taskNotification).toBe('<result>42</result>');
  });

  it('reads string content and error results', () => {
    const view = viewAnthropicRequest({
      messages: [
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'Bash', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', is_error: true, content: [{ type: 'text', text: 'exit 1' }] }] },
      ],
    });
    expect(view.toolResults).toEqual([{ id: 't', name: 'Bash', output: 'exit 1', isError: true }]);
    expect(viewAnthropicRequest({ messages: [{ role: 'user', content: 'hi' }] }).lastUserText).toBe('hi');
  });
});

describe('viewGeminiRequest', () => {
  const body = {
    systemInstruction: { parts: [{ text: 'You are Gemini CLI.' }] },
    tools: [{ functionDeclarations: [{ name: 'write_file' }, { name: 'replace' }] }],
    contents: [{ role: 'user', parts: [{ text: '<session_context>\nThis is the Gemini CLI.\n</session_context>' }, { text: 'Please create a.txt' }] }],
  };

  it('reads the prompt without the session context', () => {
    expect(viewGeminiRequest(body, 'fake-model', true)).toMatchObject({
      api: 'gemini', model: 'fake-model', stream: true, fresh: true, lastUserText: 'Please create a.txt', system: 'You are Gemini CLI.', toolNames: ['write_file', 'replace'],
    });
  });

  it('reads function responses (output and error)', () => {
    const view = viewGeminiRequest({
      contents: [
        ...body.contents,
        { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'write_file', args: {} } }] },
        { role: 'user', parts: [{ functionResponse: { id: 'c1', name: 'write_file', response: { output: 'Successfully created' } } }, { functionResponse: { name: 'replace', response: { error: 'no match' } } }] },
      ],
    }, 'm', true);
    expect(view.fresh).toBe(false);
    expect(view.toolResults).toEqual([
      { id: 'c1', name: 'write_file', output: 'Successfully created', isError: false },
      { id: undefined, name: 'replace', output: 'no match', isError: true },
    ]);
  });
});

describe('matchesText / matchesTurn', () => {
  it('supports substrings, RegExp and the serialisable regex form', () => {
    expect(matchesText('create', 'please create it')).toBe(true);
    expect(matchesText(/CREATE/i, 'please create it')).toBe(true);
    expect(matchesText({ regex: '^please', flags: 'g' }, 'please create it')).toBe(true);
    expect(matchesText({ regex: '^please', flags: 'g' }, 'please create it')).toBe(true);
    expect(matchesText('delete', 'please create it')).toBe(false);
  });

  it('requires every condition', () => {
    const view = viewAnthropicRequest(anthropicLoop);
    expect(matchesTurn(undefined, view)).toBe(true);
    expect(matchesTurn({ lastToolResult: { name: 'Write', output: 'created', isError: false } }, view)).toBe(true);
    expect(matchesTurn({ lastToolResult: true, api: 'anthropic', fresh: false, hasTool: 'Agent', stream: true, model: /claude/ }, view)).toBe(true);
    expect(matchesTurn({ lastToolResult: { name: 'Edit' } }, view)).toBe(false);
    expect(matchesTurn({ lastToolResult: { name: 'Write' }, api: 'gemini' }, view)).toBe(false);
    expect(matchesTurn({ taskNotification: false, system: 'Claude Code' }, view)).toBe(true);
    expect(matchesTurn({ taskNotification: true }, view)).toBe(false);
  });
});

describe('ScenarioPlayer', () => {
  const fresh = viewAnthropicRequest({ messages: [{ role: 'user', content: 'go' }] });

  it('plays match-less turns in order, then the fallback', () => {
    const player = new ScenarioPlayer({ turns: [{ reply: { text: 'one' } }, { id: 'second', reply: { text: 'two' } }] }, 200);
    expect(player.decide(fresh)).toMatchObject({ kind: 'reply', turnId: 'turn-0', reply: { text: 'one' } });
    expect(player.unusedTurnIds()).toEqual(['second']);
    expect(player.decide(fresh)).toMatchObject({ turnId: 'second' });
    expect(player.decide(fresh)).toMatchObject({ kind: 'reply', turnId: 'fallback', reply: { text: 'ok' } });
    expect(player.unusedTurnIds()).toEqual([]);
  });

  it('sends an error the first `times` matches, then the reply', () => {
    const player = new ScenarioPlayer({ turns: [{ error: { status: 529, times: 2 }, reply: { text: 'finally' } }] }, 200);
    expect([player.decide(fresh), player.decide(fresh), player.decide(fresh)].map((decision) => decision.kind)).toEqual(['error', 'error', 'reply']);
  });

  it('repeats an error-only turn and honours times: always', () => {
    const errors = new ScenarioPlayer({ turns: [{ error: { status: 500 } }] }, 200);
    expect([errors.decide(fresh), errors.decide(fresh)].map((decision) => decision.kind)).toEqual(['error', 'error']);
    const always = new ScenarioPlayer({ turns: [{ reply: { text: 'again' }, times: 'always' }] }, 200);
    expect([always.decide(fresh), always.decide(fresh)].map((decision) => decision.turnId)).toEqual(['turn-0', 'turn-0']);
  });

  it('caps requests with a 500 that explains the loop', () => {
    const player = new ScenarioPlayer({ name: 'loop', turns: [], maxRequests: 2 }, 200);
    player.decide(fresh);
    player.decide(fresh);
    const third = player.decide(fresh);
    expect(third).toMatchObject({ kind: 'error', turnId: 'request-limit', error: { status: 500 } });
    expect(third.kind === 'error' && third.error.message).toContain('limit of 2 requests');
  });

  it('rejects broken scenarios with a coded error', () => {
    expect(() => validateScenario({ turns: [{}] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => validateScenario({ turns: [{ id: 'a', reply: {} }, { id: 'a', reply: {} }] })).toThrow(/used twice/);
    expect(() => validateScenario({ turns: [{ reply: {}, times: 0 }] })).toThrow(/times/);
    expect(() => validateScenario(JSON.parse('{}'))).toThrow(/turns/);
  });
});

describe('working directory placeholder', async () => {
  const { findWorkingDirectory, substituteWorkingDirectory } = await import('./working-directory.js');
  it('finds Claude Code\'s working directory and substitutes {{cwd}}', () => {
    const body = { system: [{ type: 'text', text: 'x\nPrimary working directory: /data/ws\nmore' }] };
    const cwd = findWorkingDirectory(body);
    expect(cwd).toBe('/data/ws');
    expect(substituteWorkingDirectory({ file_path: '{{cwd}}/a.txt', list: ['{{cwd}}'] }, cwd)).toEqual({ file_path: '/data/ws/a.txt', list: ['/data/ws'] });
  });
});
