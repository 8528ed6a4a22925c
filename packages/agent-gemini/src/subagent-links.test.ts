import { describe, expect, it } from 'vitest';
import { geminiSubagentLinks } from './subagent-links.js';

describe('geminiSubagentLinks', () => {
  it('maps agentId on invoke_agent calls to the call id and agent name, in lines and $set rewrites', () => {
    const lines = [
      JSON.stringify({ sessionId: 's', kind: 'main' }),
      JSON.stringify({ id: 'm1', type: 'gemini', content: '', toolCalls: [{ id: 'invoke_agent__1', name: 'invoke_agent', args: { agent_name: 'code-reviewer', prompt: 'x' }, agentId: 'a-1' }] }),
      JSON.stringify({ $set: { messages: [{ id: 'm2', type: 'gemini', toolCalls: [{ id: 'invoke_agent__2', name: 'invoke_agent', args: {}, agentId: 'a-2' }] }] } }),
      JSON.stringify({ id: 'm3', type: 'gemini', toolCalls: [{ id: 'read_file__3', name: 'read_file', args: {} }] }),
      '{"torn',
    ];
    expect([...geminiSubagentLinks(lines.join('\n'))]).toEqual([
      ['a-1', { toolUseId: 'invoke_agent__1', name: 'code-reviewer' }],
      ['a-2', { toolUseId: 'invoke_agent__2' }],
    ]);
  });
});
