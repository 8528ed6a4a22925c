import { describe, expect, it } from 'vitest';
import { claudeProfileFiles, claudeProfileOptions, claudeSessionIdFor, isClaudeConfigPath } from './index.js';

describe('profile mapping', () => {
  const profile = {
    id: 'p', name: 'p', systemPrompt: 'Be brief.', agentMDFile: '# Rules', model: 'claude-x', tools: ['Read', 'Write'],
    skills: [{ name: 'lint', description: 'Lints', skillMd: 'Run the linter.', supportingFiles: [{ relativePath: 'scripts/run.sh', content: 'echo' }] }],
    subagents: [{ name: 'reviewer', description: 'Reviews', prompt: 'Review it.', tools: ['Read'] }],
    commands: [{ name: 'ship', prompt: 'Ship it.' }],
    mcpServers: { gh: { command: 'gh-mcp', args: ['--x'] }, web: { type: 'http' as const, url: 'https://example.com/mcp' } },
  };

  it('writes CLAUDE.md, skills and commands as files', () => {
    expect(claudeProfileFiles(profile)).toEqual([
      { path: 'CLAUDE.md', content: '# Rules' },
      { path: '.claude/skills/lint/SKILL.md', content: '---\nname: "lint"\ndescription: "Lints"\n---\n\nRun the linter.' },
      { path: '.claude/skills/lint/scripts/run.sh', content: 'echo' },
      { path: '.claude/commands/ship.md', content: 'Ship it.' },
    ]);
    expect(() => claudeProfileFiles({ ...profile, skills: [{ ...profile.skills[0]!, supportingFiles: [{ relativePath: '../x', content: '' }] }] })).toThrow(/unsafe/);
  });

  it('maps the rest to SDK options', () => {
    expect(claudeProfileOptions(profile, undefined)).toEqual({
      systemPrompt: { type: 'preset', preset: 'claude_code', append: 'Be brief.' },
      settingSources: ['project'],
      model: 'claude-x',
      tools: ['Read', 'Write'],
      allowedTools: ['Read', 'Write'],
      agents: { reviewer: { description: 'Reviews', prompt: 'Review it.', tools: ['Read'] } },
      mcpServers: { gh: { type: 'stdio', command: 'gh-mcp', args: ['--x'] }, web: { type: 'http', url: 'https://example.com/mcp' } },
      mcpServersDelivery: 'initialize',
    });
  });

  it('derives a stable UUID session id and recognises config paths', () => {
    expect(claudeSessionIdFor('abc')).toBe(claudeSessionIdFor('abc'));
    expect(claudeSessionIdFor('abc')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(['CLAUDE.md', '.claude/skills/x/SKILL.md', '.claude'].every(isClaudeConfigPath)).toBe(true);
    expect(['src/CLAUDE.md.bak', 'claude.txt', 'README.md'].some(isClaudeConfigPath)).toBe(false);
  });
});
