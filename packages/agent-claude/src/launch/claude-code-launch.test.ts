import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCodeEnv, claudeCodeExecutablePath, prepareClaudeCodeDirs } from './claude-code-launch.js';

describe('Claude Code launch helpers', () => {
  it('builds the env DESIGN.md lists; HOME and the dirs win over variables', () => {
    const env = claudeCodeEnv({ home: '/h', path: '/usr/bin', variables: { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1', HOME: '/elsewhere', DISABLE_TELEMETRY: '0' } });
    expect(env).toEqual({
      PATH: '/usr/bin', HOME: '/h', CLAUDE_CONFIG_DIR: '/h/.claude', CLAUDE_CODE_TMPDIR: '/h/tmp',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '0', DISABLE_ERROR_REPORTING: '1',
      IS_SANDBOX: '1',
    });
  });

  it('creates the Claude dirs with a private tmp dir', () => {
    const home = mkdtempSync(join(tmpdir(), 'claude-launch-'));
    prepareClaudeCodeDirs({ home });
    expect(existsSync(join(home, '.claude'))).toBe(true);
    expect(statSync(join(home, 'tmp')).mode & 0o777).toBe(0o700);
    rmSync(home, { recursive: true, force: true });
  });

  it('finds the native Claude Code binary of the SDK platform package', () => {
    expect(claudeCodeExecutablePath()).toMatch(/claude-agent-sdk-[a-z0-9-]+\/claude(\.exe)?$/);
    expect(existsSync(claudeCodeExecutablePath())).toBe(true);
  });
});
