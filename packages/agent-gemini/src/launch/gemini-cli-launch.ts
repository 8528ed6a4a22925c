import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AgentRuntimeError } from '@agent-runtime/core';

/**
 * How the Gemini CLI is launched — the one source for the architecture, the testkit's real-CLI
 * tests and the benchmarks: the bundle, the fixed environment flags, the headless arguments.
 * Its settings.json is `geminiSettings` (profile-files.ts).
 */

/** Flags every Gemini CLI run gets. */
export const GEMINI_CLI_QUIET_ENV: Readonly<Record<string, string>> = {
  GEMINI_CLI_TRUST_WORKSPACE: 'true',
  // Skips the CLI relaunching itself with more heap (saves ~0.65 s and 130 MB per turn).
  GEMINI_CLI_NO_RELAUNCH: 'true',
  TERM: 'dumb',
  NO_COLOR: '1',
};

/** Options of {@link geminiCliEnv}. */
export interface GeminiCliEnvOptions {
  /** HOME and GEMINI_CLI_HOME (settings and sessions live in `<home>/.gemini`). */
  home: string;
  /** TMPDIR; default `<home>/tmp`. */
  tmpDir?: string;
  /** PATH; default `/usr/local/bin:/usr/bin:/bin`. */
  path?: string;
  /** More variables (GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL, …), over the flags; HOME and TMPDIR always win. */
  variables?: Record<string, string>;
}

/** The whole environment of a Gemini CLI run: PATH, {@link GEMINI_CLI_QUIET_ENV}, `variables`, HOME = GEMINI_CLI_HOME, TMPDIR. */
export function geminiCliEnv(options: GeminiCliEnvOptions): Record<string, string> {
  return {
    PATH: options.path ?? '/usr/local/bin:/usr/bin:/bin',
    ...GEMINI_CLI_QUIET_ENV,
    ...options.variables,
    HOME: options.home,
    GEMINI_CLI_HOME: options.home,
    TMPDIR: options.tmpDir ?? join(options.home, 'tmp'),
  };
}

/** Options of {@link geminiCliArgs}. */
export interface GeminiCliArgsOptions {
  /**
   * `--prompt=<text>`. Omitted: the CLI reads the whole prompt from stdin (the architecture does
   * this, from a file, so a long prompt never hits argv limits nor shows in `ps`).
   */
  prompt?: string;
  /** `-m`; an explicit model also avoids a routing request. Omitted: the CLI's default. */
  model?: string;
  /** `--session-id`: the session uuid of a new session. */
  sessionId?: string;
  /** `--resume <uuid>`: continue a stored session (takes precedence over `sessionId`). */
  resume?: string;
}

/**
 * The CLI's arguments (after `node <gemini.js>`) for one headless run:
 * `[--prompt=<text>] -o stream-json --yolo [-m <model>] [--resume <uuid> | --session-id <uuid>]`.
 * With a prompt, spawn with stdin ignored (piped stdin would be prepended to it); without one,
 * give the prompt on stdin.
 */
export function geminiCliArgs(options: GeminiCliArgsOptions): string[] {
  return [
    // `--prompt=<text>`: a prompt starting with `-` would otherwise be read as an option.
    ...(options.prompt === undefined ? [] : [`--prompt=${options.prompt}`]),
    '-o',
    'stream-json',
    '--yolo',
    ...(options.model ? ['-m', options.model] : []),
    ...(options.resume !== undefined ? ['--resume', options.resume] : options.sessionId !== undefined ? ['--session-id', options.sessionId] : []),
  ];
}

/** Absolute (real) path of `bundle/gemini.js` of the installed `@google/gemini-cli`; run it with `node`. */
export function geminiCliEntryPath(): string {
  try {
    const packageJson = createRequire(import.meta.url).resolve('@google/gemini-cli/package.json');
    return join(realpathSync(dirname(packageJson)), 'bundle', 'gemini.js');
  } catch (cause) {
    throw new AgentRuntimeError('INVALID_CONFIG', '@google/gemini-cli is not installed; set cliEntryPath.', { cause });
  }
}
