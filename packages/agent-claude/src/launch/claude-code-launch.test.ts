import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeCodeEnv, claudeCodeExecutablePath, prepareClaudeCodeDirs } from './claude-code.js';
import { geminiCliArgs, geminiCliEntryPath, geminiCliEnv, writeGeminiSettings } from './gemini-cli.js';

describe('agent env helpers', () => {
  it('builds the Claude Code env from DESIGN.md', () => {
    const env = claudeCodeEnv({ modelServerUrl: 'http://127.0.0.1:1', home: '/h', path: '/usr/bin' });
    expect(env).toEqual({
      PATH: '/usr/bin', HOME: '/h', CLAUDE_CONFIG_DIR: '/h/.claude', CLAUDE_CODE_TMPDIR: '/h/tmp',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:1', ANTHROPIC_API_KEY: expect.any(String),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_AUTOUPDATER: '1', DISABLE_TELEMETRY: '1', DISABLE_ERROR_REPORTING: '1',
      IS_SANDBOX: '1', CLAUDE_CODE_MAX_RETRIES: '1',
    });
  });

  it('creates the Claude dirs with a private tmp dir', () => {
    const home = mkdtempSync(join(tmpdir(), 'testkit-env-'));
    prepareClaudeCodeDirs({ home });
    expect(existsSync(join(home, '.claude'))).toBe(true);
    expect(statSync(join(home, 'tmp')).mode & 0o777).toBe(0o700);
    rmSync(home, { recursive: true, force: true });
  });

  it('finds the native Claude Code binary and the Gemini CLI bundle', () => {
    expect(existsSync(claudeCodeExecutablePath())).toBe(true);
    expect(claudeCodeExecutablePath()).toMatch(/claude-agent-sdk-[a-z0-9-]+\/claude(\.exe)?$/);
    expect(geminiCliEntryPath()).toMatch(/@google\/gemini-cli\/bundle\/gemini\.js$/);
    expect(existsSync(geminiCliEntryPath())).toBe(true);
  });

  it('writes Gemini settings and builds env and args', () => {
    const home = mkdtempSync(join(tmpdir(), 'testkit-env-'));
    const file = writeGeminiSettings(home);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      security: { auth: { selectedType: 'gemini-api-key' } },
      telemetry: { enabled: false },
      privacy: { usageStatisticsEnabled: false },
      general: { maxAttempts: 1 },
    });
    rmSync(home, { recursive: true, force: true });
    expect(geminiCliEnv({ modelServerUrl: 'http://x', home: '/h' })).toMatchObject({
      HOME: '/h', GEMINI_CLI_HOME: '/h', GOOGLE_GEMINI_BASE_URL: 'http://x', GEMINI_CLI_TRUST_WORKSPACE: 'true', GEMINI_CLI_NO_RELAUNCH: 'true',
    });
    expect(geminiCliArgs({ prompt: 'hi', sessionId: 'u' }).slice(1)).toEqual(['-p', 'hi', '-o', 'stream-json', '--yolo', '-m', 'fake-model', '--session-id', 'u']);
  });
});
