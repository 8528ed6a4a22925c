import { describe, expect, it } from 'vitest';
import { geminiProfileFiles, geminiSettings, geminiSubagentFiles } from './profile-files.js';

describe('profile files', () => {
  it('writes only settings for an empty profile', () => {
    const files = geminiProfileFiles({ id: 'p', name: 'p' });
    expect(files.map((f) => `${f.root}:${f.path}`)).toEqual(['home:.gemini/settings.json']);
    expect(JSON.parse(files[0]!.content)).toEqual({
      security: { auth: { selectedType: 'gemini-api-key' } },
      telemetry: { enabled: false },
      privacy: { usageStatisticsEnabled: false },
      // The CLI's own session cleanup could delete the stored session (see geminiSettings).
      general: { maxAttempts: 1, sessionRetention: { enabled: false } },
    });
  });

  it('maps tools, MCP servers (stdio, sse, http), skills and commands', () => {
    const settings = geminiSettings({
      id: 'p',
      name: 'p',
      tools: ['read_file'],
      mcpServers: {
        a: { command: 'node', args: ['x.js'], env: { K: 'v' } },
        b: { type: 'sse', url: 'http://127.0.0.1:1/sse' },
        c: { type: 'http', url: 'http://127.0.0.1:1/mcp', headers: { h: '1' } },
      },
    });
    expect(settings['tools']).toEqual({ core: ['read_file'] });
    expect(settings['mcpServers']).toEqual({
      a: { command: 'node', args: ['x.js'], env: { K: 'v' } },
      b: { url: 'http://127.0.0.1:1/sse' },
      c: { httpUrl: 'http://127.0.0.1:1/mcp', headers: { h: '1' } },
    });
    const files = geminiProfileFiles({
      id: 'p',
      name: 'p',
      skills: [{ name: 's1', description: 'd "q"', skillMd: 'body', supportingFiles: [{ relativePath: 'a/b.txt', content: 'c' }] }],
      commands: [{ name: 'go', prompt: 'Line "1"\nLine 2 \\ end' }],
    });
    const byPath = Object.fromEntries(files.map((f) => [f.path, f.content]));
    expect(byPath['.gemini/skills/s1/SKILL.md']).toBe('---\nname: "s1"\ndescription: "d \\"q\\""\n---\n\nbody');
    expect(byPath['.gemini/skills/s1/a/b.txt']).toBe('c');
    expect(byPath['.gemini/commands/go.toml']).toBe('prompt = "Line \\"1\\"\\nLine 2 \\\\ end"\n');
  });

  it('refuses unsafe skill file paths and names', () => {
    expect(() => geminiProfileFiles({ id: 'p', name: 'p', skills: [{ name: 's', description: '', skillMd: '', supportingFiles: [{ relativePath: '../x', content: '' }] }] })).toThrow(
      expect.objectContaining({ code: 'PATH_REFUSED' }),
    );
    expect(() => geminiProfileFiles({ id: 'p', name: 'p', commands: [{ name: '../evil', prompt: '' }] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('writes subagents as user agent definitions (~/.gemini/agents/<name>.md) with CLI-valid names', () => {
    const files = geminiSubagentFiles([
      { name: 'Code.Reviewer', description: 'Reviews "code"', prompt: 'You review.\nBe strict.', model: 'm-1', tools: ['read_file', 'grep_search'] },
      { name: 'plain', description: '', prompt: 'P' },
    ]);
    expect(files.map((f) => `${f.root}:${f.path}`)).toEqual(['home:.gemini/agents/code-reviewer.md', 'home:.gemini/agents/plain.md']);
    expect(files[0]!.content).toBe(
      '---\nname: "code-reviewer"\ndescription: "Reviews \\"code\\""\nmodel: "m-1"\ntools: ["read_file","grep_search"]\n---\n\nYou review.\nBe strict.\n',
    );
    expect(files[1]!.content).toBe('---\nname: "plain"\ndescription: "plain"\n---\n\nP\n');
    expect(geminiProfileFiles({ id: 'p', name: 'p', subagents: [{ name: 'a', description: 'd', prompt: 'p' }] }).map((f) => f.path)).toContain('.gemini/agents/a.md');
    expect(() => geminiSubagentFiles([{ name: 'A', description: 'd', prompt: 'p' }, { name: 'a', description: 'd', prompt: 'p' }])).toThrow(/same Gemini CLI name/);
    expect(() => geminiSubagentFiles([{ name: '../x', description: 'd', prompt: 'p' }])).toThrow(/not a valid/);
  });
});
