import { describe, expect, it } from 'vitest';
import { agentProfileSchema } from '../profiles/agent-profile.js';
import { conversationBlockSchema } from './conversation-block.js';

function firstIssuePath(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string {
  return result.error?.issues[0]?.path.join('.') ?? '';
}

describe('conversationBlockSchema', () => {
  it('accepts every block type', () => {
    const block = { id: 'toolu_1', timestamp: '2026-01-01T00:00:00.000Z', type: 'tool_use', toolName: 'Write', toolUseId: 'toolu_1', input: { file_path: 'a.txt' }, status: 'success' };
    expect(conversationBlockSchema.parse(block)).toEqual(block);
  });

  it('names the field of a malformed block', () => {
    const result = conversationBlockSchema.safeParse({ id: 'x', timestamp: 't', type: 'tool_use', toolName: 'Write', toolUseId: 'x', input: {}, status: 'done' });
    expect(result.success).toBe(false);
    expect(firstIssuePath(result)).toBe('status');
    expect(result.error?.issues[0]?.message).toMatch(/pending|running|success|error/);
  });

  it('rejects an unknown block type, naming `type`', () => {
    const result = conversationBlockSchema.safeParse({ id: 'x', timestamp: 't', type: 'poem' });
    expect(firstIssuePath(result)).toBe('type');
  });

  it('names a missing id', () => {
    const result = conversationBlockSchema.safeParse({ timestamp: 't', type: 'assistant_text', content: 'hi' });
    expect(firstIssuePath(result)).toBe('id');
  });
});

describe('agentProfileSchema', () => {
  it('accepts a full profile', () => {
    const profile = agentProfileSchema.parse({
      id: 'code-assistant',
      name: 'Code assistant',
      systemPrompt: 'Be brief.',
      agentMDFile: '# Project',
      skills: [{ name: 'pdf', description: 'PDFs', skillMd: 'Use it.', supportingFiles: [{ relativePath: 'scripts/run.py', content: 'print(1)' }] }],
      subagents: [{ name: 'reviewer', description: 'Reviews', prompt: 'Review the code.' }],
      commands: [{ name: 'test', prompt: 'Run the tests' }],
      tools: ['Read', 'Write'],
      mcpServers: { github: { command: 'github-mcp', args: ['--stdio'] }, docs: { type: 'http', url: 'https://example.com/mcp' } },
      environmentVariables: { API_TOKEN: 'secret' },
      defaultWorkspaceFiles: [{ path: 'README.md', content: '# hi' }],
    });
    expect(profile.skills?.[0]?.supportingFiles).toHaveLength(1);
  });

  it('names the field of a malformed profile', () => {
    const result = agentProfileSchema.safeParse({ id: 'p', name: 'P', skills: [{ name: 'ok', description: 'd', skillMd: 7 }] });
    expect(firstIssuePath(result)).toBe('skills.0.skillMd');
  });

  it('refuses a skill file that escapes the skill folder', () => {
    const result = agentProfileSchema.safeParse({ id: 'p', name: 'P', skills: [{ name: 'ok', description: 'd', skillMd: '', supportingFiles: [{ relativePath: '../../etc/passwd', content: '' }] }] });
    expect(firstIssuePath(result)).toBe('skills.0.supportingFiles.0.relativePath');
    expect(result.error?.issues[0]?.message).toContain('..');
  });

  it('refuses a default workspace file with an absolute path', () => {
    const result = agentProfileSchema.safeParse({ id: 'p', name: 'P', defaultWorkspaceFiles: [{ path: '/etc/passwd', content: '' }] });
    expect(firstIssuePath(result)).toBe('defaultWorkspaceFiles.0.path');
  });
});
