import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AgentRuntimeError } from '@agent-runtime/core';

/** Options of {@link claudeCodeEnv}. */
export interface ClaudeCodeEnvOptions {
  /** The model server's url, e.g. `server.url`. */
  modelServerUrl: string;
  /** HOME of the agent. */
  home: string;
  /** CLAUDE_CONFIG_DIR (transcripts live here); default `<home>/.claude`. */
  configDir?: string;
  /** CLAUDE_CODE_TMPDIR, must exist with mode 0700; default `<home>/tmp`. */
  tmpDir?: string;
  /** CLAUDE_CODE_MAX_RETRIES; default 1 (a 5xx fails after one retry, ~0.5 s). */
  maxRetries?: number;
  /** PATH; default the current process's PATH. */
  path?: string;
  /** Extra variables, applied last. */
  extra?: Record<string, string>;
}

/**
 * The complete environment for running the real Claude Code offline against the scripted model
 * server. Pass it as the Agent SDK's `env` option, which REPLACES the environment. Pure: create
 * the directories first (see {@link prepareClaudeCodeDirs}).
 */
export function claudeCodeEnv(options: ClaudeCodeEnvOptions): Record<string, string> {
  return {
    PATH: options.path ?? process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: options.home,
    CLAUDE_CONFIG_DIR: options.configDir ?? join(options.home, '.claude'),
    CLAUDE_CODE_TMPDIR: options.tmpDir ?? join(options.home, 'tmp'),
    ANTHROPIC_BASE_URL: options.modelServerUrl,
    ANTHROPIC_API_KEY: 'sk-ant-testkit-fake',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    // Required for permissionMode 'bypassPermissions' when running as root.
    IS_SANDBOX: '1',
    CLAUDE_CODE_MAX_RETRIES: String(options.maxRetries ?? 1),
    ...options.extra,
  };
}

/** Creates HOME, the config dir and the tmp dir (mode 0700) that {@link claudeCodeEnv} points at. */
export function prepareClaudeCodeDirs(options: Pick<ClaudeCodeEnvOptions, 'home' | 'configDir' | 'tmpDir'>): void {
  mkdirSync(options.configDir ?? join(options.home, '.claude'), { recursive: true });
  mkdirSync(options.tmpDir ?? join(options.home, 'tmp'), { recursive: true, mode: 0o700 });
}

/**
 * Absolute path of the native `claude` binary that `@anthropic-ai/claude-agent-sdk` ships in its
 * platform package (e.g. `@anthropic-ai/claude-agent-sdk-linux-x64`), resolved the way the SDK
 * does: from the SDK package. `from` is where to resolve the SDK from (default: this module).
 */
export function claudeCodeExecutablePath(from: string = import.meta.url): string {
  const require = createRequire(from);
  let sdkEntry: string;
  try {
    sdkEntry = require.resolve('@anthropic-ai/claude-agent-sdk');
  } catch (cause) {
    throw new AgentRuntimeError('INVALID_CONFIG', '@anthropic-ai/claude-agent-sdk is not installed.', { cause });
  }
  const sdkRequire = createRequire(sdkEntry);
  const suffix = process.platform === 'win32' ? '.exe' : '';
  const names = process.platform === 'linux'
    ? [`linux-${process.arch}`, `linux-${process.arch}-musl`]
    : [`${process.platform}-${process.arch}`];
  for (const name of names) {
    try {
      const manifest = sdkRequire.resolve(`@anthropic-ai/claude-agent-sdk-${name}/package.json`);
      return join(dirname(manifest), `claude${suffix}`);
    } catch {
      // try the next platform package
    }
  }
  throw new AgentRuntimeError('INVALID_CONFIG', `No Claude Code binary package for ${process.platform}-${process.arch} next to ${sdkEntry}.`);
}
