import type { Logger } from '@agent-runtime/core';
import type { ModalClient } from 'modal';

/** Options of `createModalSandboxProvider`. */
export interface ModalSandboxProviderOptions {
  /** Modal token id. Default: `MODAL_TOKEN_ID`. Not needed when `client` is given. */
  tokenId?: string;
  /** Modal token secret. Default: `MODAL_TOKEN_SECRET`. Not needed when `client` is given. */
  tokenSecret?: string;
  /** The Modal app the sandboxes belong to (created when missing). */
  appName: string;
  /**
   * Registry image tag for the sandboxes, e.g. `my-registry/agents:1`. Default
   * `DEFAULT_MODAL_IMAGE` plus `DEFAULT_MODAL_DOCKERFILE_COMMANDS` (node 20 + both agent CLIs).
   * A `SandboxCreateOptions.image` given to `create` wins over it.
   */
  image?: string;
  /**
   * Dockerfile commands layered on top of the image. Default: `DEFAULT_MODAL_DOCKERFILE_COMMANDS`
   * for the default image, none for an image you name.
   */
  dockerfileCommands?: string[];
  /** A ready `ModalClient` (tests, custom endpoints); tokens are then not read. */
  client?: ModalClient;
  /** Absolute workspace path inside the sandbox. Default `/workspace`. */
  workspacePath?: string;
  /** Absolute home path of the agent inside the sandbox. Default `/home/agent`. */
  homePath?: string;
  /** Lifetime when `limits.timeoutMs` is not given. Default 1 h (Modal's own default is 5 min; max 24 h). */
  defaultTimeoutMs?: number;
  /**
   * Idle timeout when `limits.idleTimeoutMs` is not given. Default 15 min. It reaps sandboxes a
   * crashed runtime left behind: nothing runs in them any more, so Modal stops them.
   */
  defaultIdleTimeoutMs?: number;
  /** How often `watch` lists the workspace while a watcher is open. Default 1000 ms. */
  watchIntervalMs?: number;
  /** How long `kill('SIGTERM')` waits before sending `SIGKILL`. Default 5000 ms. */
  killGraceMs?: number;
  logger?: Logger;
}

/** Base image of the default sandbox image. */
export const DEFAULT_MODAL_IMAGE = 'node:20-bookworm-slim';

/**
 * Installs the two agent CLIs globally (`claude` and `gemini` on PATH). The Claude Agent SDK ships
 * the native Claude Code binary in a platform package; the last command links it to
 * `/usr/local/bin/claude` so `createClaudeArchitecture({ executablePath: '/usr/local/bin/claude' })`
 * finds it.
 */
export const DEFAULT_MODAL_DOCKERFILE_COMMANDS: readonly string[] = [
  'RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates git ripgrep && rm -rf /var/lib/apt/lists/*',
  'RUN npm install -g @anthropic-ai/claude-agent-sdk@0.3.332 @google/gemini-cli@0.61.0 && npm cache clean --force',
  `RUN ln -sf "$(find /usr/local/lib/node_modules/@anthropic-ai -path '*claude-agent-sdk-linux-*/claude' -type f | head -n 1)" /usr/local/bin/claude`,
];

export const DEFAULT_WORKSPACE_PATH = '/workspace';
export const DEFAULT_HOME_PATH = '/home/agent';
export const DEFAULT_TIMEOUT_MS = 60 * 60 * 1000;
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60 * 1000;
/** Modal's upper bound for a sandbox lifetime. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** The tag that carries the session id on every sandbox this provider creates. */
export const SESSION_TAG = 'agent-runtime.session';

/** Where the default image puts the agent CLIs (for `createClaudeArchitecture` / `createGeminiArchitecture`). */
export const MODAL_IMAGE_AGENT_PATHS = {
  claudeExecutable: '/usr/local/bin/claude',
  node: '/usr/local/bin/node',
  geminiEntry: '/usr/local/lib/node_modules/@google/gemini-cli/bundle/gemini.js',
} as const;
