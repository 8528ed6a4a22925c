import { describe, expect, it } from 'vitest';
import type { ConversationBlock } from '@agent-runtime/core';
import { geminiSubagentLinks, linkSubagentsByPrompt, type GeminiSubagentLink } from './subagent-links.js';

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

  it('links the rest by prompt (ACP mode records no agentId): each invoke_agent call once, in order', () => {
    const at = '2026-12-01T00:00:00.000Z';
    const call = (id: string, prompt: string): ConversationBlock => ({ id, type: 'tool_use', timestamp: at, toolName: 'invoke_agent', toolUseId: id, input: { agent_name: 'r', prompt }, status: 'success' });
    const user = (content: string): ConversationBlock => ({ id: content, type: 'user_message', timestamp: at, content });
    const links = new Map<string, GeminiSubagentLink>([['a-0', { toolUseId: 'c0' }]]);
    linkSubagentsByPrompt(
      [call('c0', 'x'), call('c1', 'same'), call('c2', 'same')],
      [{ id: 'a-0', blocks: [user('x')] }, { id: 'a-1', blocks: [user('same')] }, { id: 'a-2', blocks: [user('same')] }, { id: 'a-3', blocks: [user('other')] }],
      links,
    );
    expect([...links]).toEqual([
      ['a-0', { toolUseId: 'c0' }],
      ['a-1', { toolUseId: 'c1', name: 'r' }],
      ['a-2', { toolUseId: 'c2', name: 'r' }],
    ]);
  });
});
