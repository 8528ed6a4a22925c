import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AgentRuntimeError } from '@agent-runtime/core';

/**
 * How Claude Code is launched — the one source for the architecture, the testkit's real-CLI
 * tests and the benchmarks: the native binary, the fixed environment flags, the directories.
 */

/** Flags every Claude Code run gets: no nonessential traffic, autoupdate, telemetry or error reports. */
export const CLAUDE_CODE_QUIET_ENV: Readonly<Record<string, string>> = {
  CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  DISABLE_AUTOUPDATER: '1',
  DISABLE_TELEMETRY: '1',
  DISABLE_ERROR_REPORTING: '1',
  // Required for permissionMode 'bypassPermissions' when running as root.
  IS_SANDBOX: '1',
};

/** Options of {@link claudeCodeEnv}. */
export interface ClaudeCodeEnvOptions {
  /** HOME of the agent. */
  home: string;
  /** CLAUDE_CONFIG_DIR (transcripts live here); default `<home>/.claude`. */
  configDir?: string;
  /** CLAUDE_CODE_TMPDIR, must exist with mode 0700; default `<home>/tmp`. */
  tmpDir?: string;
  /** PATH; default `/usr/local/bin:/usr/bin:/bin`. */
  path?: string;
  /** More variables (ANTHROPIC_BASE_URL, ANTHROPIC_API_KEY, …), over the flags; HOME and the dirs always win. */
  variables?: Record<string, string>;
}

/**
 * The whole environment of a Claude Code run (the Agent SDK's `env` option REPLACES the process
 * environment): PATH, the {@link CLAUDE_CODE_QUIET_ENV} flags, `variables`, then HOME,
 * CLAUDE_CONFIG_DIR and CLAUDE_CODE_TMPDIR. Pure: see {@link prepareClaudeCodeDirs}.
 */
export function claudeCodeEnv(options: ClaudeCodeEnvOptions): Record<string, string> {
  return {
    PATH: options.path ?? '/usr/local/bin:/usr/bin:/bin',
    ...CLAUDE_CODE_QUIET_ENV,
    ...options.variables,
    HOME: options.home,
    CLAUDE_CONFIG_DIR: options.configDir ?? join(options.home, '.claude'),
    CLAUDE_CODE_TMPDIR: options.tmpDir ?? join(options.home, 'tmp'),
  };
}

/** Creates, on this host, the config dir and the tmp dir (mode 0700) that {@link claudeCodeEnv} points at. */
export function prepareClaudeCodeDirs(options: Pick<ClaudeCodeEnvOptions, 'home' | 'configDir' | 'tmpDir'>): void {
  mkdirSync(options.configDir ?? join(options.home, '.claude'), { recursive: true });
  mkdirSync(options.tmpDir ?? join(options.home, 'tmp'), { recursive: true, mode: 0o700 });
}

/**
 * Absolute path of the native `claude` binary that `@anthropic-ai/claude-agent-sdk` ships in its
 * platform package (e.g. `@anthropic-ai/claude-agent-sdk-linux-x64`), resolved from the SDK
 * package as the SDK does. `INVALID_CONFIG` when it is missing.
 */
export function claudeCodeExecutablePath(): string {
  const require = createRequire(import.meta.url);
  let sdkEntry: string;
  try {
    sdkEntry = require.resolve('@anthropic-ai/claude-agent-sdk');
  } catch (cause) {
    throw new AgentRuntimeError('INVALID_CONFIG', '@anthropic-ai/claude-agent-sdk is not installed.', { cause });
  }
  const sdkRequire = createRequire(sdkEntry);
  const binary = process.platform === 'win32' ? 'claude.exe' : 'claude';
  const names = process.platform === 'linux' ? [`linux-${process.arch}`, `linux-${process.arch}-musl`] : [`${process.platform}-${process.arch}`];
  for (const name of names) {
    try {
      return join(dirname(sdkRequire.resolve(`@anthropic-ai/claude-agent-sdk-${name}/package.json`)), binary);
    } catch {
      // try the next platform package
    }
  }
  throw new AgentRuntimeError('INVALID_CONFIG', `No Claude Code binary for ${process.platform}-${process.arch}; set executablePath.`);
}
