import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { geminiCliArgs, geminiCliEntryPath, geminiCliEnv } from './gemini-cli-launch.js';

describe('Gemini CLI launch helpers', () => {
  it('builds the env DESIGN.md lists; HOME and TMPDIR win over variables', () => {
    expect(geminiCliEnv({ home: '/h', path: '/usr/bin', variables: { GOOGLE_GEMINI_BASE_URL: 'http://x', TMPDIR: '/elsewhere' } })).toEqual({
      PATH: '/usr/bin', HOME: '/h', GEMINI_CLI_HOME: '/h', TMPDIR: '/h/tmp', GOOGLE_GEMINI_BASE_URL: 'http://x',
      GEMINI_CLI_TRUST_WORKSPACE: 'true', GEMINI_CLI_NO_RELAUNCH: 'true', TERM: 'dumb', NO_COLOR: '1',
    });
  });

  it('builds headless args: a new session, a resumed one, a prompt that looks like a flag', () => {
    expect(geminiCliArgs({ prompt: 'hi', model: 'm', sessionId: 'u' })).toEqual(['--prompt=hi', '-o', 'stream-json', '--yolo', '-m', 'm', '--session-id', 'u']);
    expect(geminiCliArgs({ prompt: '--help', sessionId: 'u', resume: 'u' })).toEqual(['--prompt=--help', '-o', 'stream-json', '--yolo', '--resume', 'u']);
    // No prompt: the CLI reads it from stdin (how the architecture passes it).
    expect(geminiCliArgs({ sessionId: 'u' })).toEqual(['-o', 'stream-json', '--yolo', '--session-id', 'u']);
  });

  it('finds the installed CLI bundle', () => {
    expect(geminiCliEntryPath()).toMatch(/gemini-cli\/bundle\/gemini\.js$/);
    expect(existsSync(geminiCliEntryPath())).toBe(true);
  });
});
