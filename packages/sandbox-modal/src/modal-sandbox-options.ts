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
   * Dockerfile commands layered on top of the image. On the default image they EXTEND
   * `DEFAULT_MODAL_DOCKERFILE_COMMANDS` (the CLIs stay where `MODAL_IMAGE_AGENT_PATHS` says); on an
   * image you name they are the only extra layer.
   */
  dockerfileCommands?: string[];
  /** Look the image up by a name published with `modal` (`images.fromName`) instead of building it. */
  imageName?: string;
  /** How long `start()` / the first `create` waits for the image build. Default 30 min. */
  imageBuildTimeoutMs?: number;
  /** How often progress is logged (and told to `onProgress` listeners) while the image builds. Default 15 s. */
  imageProgressIntervalMs?: number;
  /**
   * Which runtime deployment the sandboxes belong to: every sandbox is tagged
   * `agent-runtime.deployment=<deployment>`, named after it and the session, and `list` (orphan
   * reaping) sees only this deployment's sandboxes. Default: the host name. Give each runtime
   * sharing an app its own value.
   */
  deployment?: string;
  /** Reserved CPU cores per sandbox (`limits.cpuCount` wins). Default `DEFAULT_CPU` (1). */
  cpu?: number;
  /** Reserved memory per sandbox in MiB (`limits.memoryMiB` wins). Default `DEFAULT_MEMORY_MIB` (2048). */
  memoryMiB?: number;
  /** Hard CPU limit (cores). Default: none (Modal lets a sandbox burst above its reservation). */
  cpuLimit?: number;
  /** Hard memory limit in MiB; above it Modal evicts the sandbox. Default: none. */
  memoryLimitMiB?: number;
  /**
   * Name of a Modal Secret holding `ANTHROPIC_API_KEY` and/or `GEMINI_API_KEY`. When set, the keys
   * never enter a sandbox: Modal's outbound policy adds them to requests to the model APIs outside
   * the container, and the sandbox env gets a placeholder instead (see README, "Keys").
   */
  modelKeySecret?: string;
  /**
   * Accept `ANTHROPIC_BASE_URL` / `GOOGLE_GEMINI_BASE_URL` on localhost. Off by default: such a URL
   * cannot resolve inside a Modal sandbox, so `create`/`exec` refuse it with `INVALID_CONFIG`.
   * Only for the offline fake, whose processes run on the host.
   */
  allowLocalhostModelUrls?: boolean;
  /**
   * Processes stop by themselves when the runtime stops beating: each exec's wrapper kills its
   * process group once the host heartbeat is older than this. Default 120 s; 0 turns it off.
   */
  orphanTimeoutMs?: number;
  /** How often the host refreshes the heartbeat while processes run (one short exec). Default 30 s. */
  heartbeatIntervalMs?: number;
  /**
   * While processes run, how often the sandbox's own state is polled (a control-plane call, not an
   * exec), so a sandbox that died ends its execs' `wait()` even though the SDK retries forever.
   * Default 2000 ms.
   */
  stateCheckIntervalMs?: number;
  /** A ready `ModalClient` (tests, custom endpoints); tokens are then not read. */
  client?: ModalClient;
  /** Absolute workspace path inside the sandbox. Default `/workspace`. */
  workspacePath?: string;
  /** Absolute home path of the agent inside the sandbox. Default `/home/agent`. */
  homePath?: string;
  /**
   * Lifetime when `limits.timeoutMs` is not given. Default 24 h, Modal's maximum: the idle timeout
   * (and the runtime's own idle timer) does the stopping, so no turn is killed by the lifetime.
   */
  defaultTimeoutMs?: number;
  /**
   * Idle timeout when `limits.idleTimeoutMs` is not given. Default 15 min. It reaps sandboxes a
   * crashed runtime left behind: nothing runs in them any more, so Modal stops them.
   */
  defaultIdleTimeoutMs?: number;
  /**
   * How often `watch` lists the workspace (one short exec) while a process started with `exec`
   * runs, and once right after the last one ends. Default 1000 ms.
   */
  watchIntervalMs?: number;
  /**
   * While no process runs, `watch` backs off: the gap doubles after each listing that saw no
   * change, up to this. Default 30000 ms; 0 = no listings while nothing runs.
   */
  watchIdleIntervalMs?: number;
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
/** Modal's upper bound for a sandbox lifetime. */
export const MAX_TIMEOUT_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_TIMEOUT_MS = MAX_TIMEOUT_MS;
/** Two Node CLIs (~250 MB RSS each at rest, more while working) plus tools: Modal's default is 0.125 core / 128 MiB. */
export const DEFAULT_CPU = 1;
export const DEFAULT_MEMORY_MIB = 2048;
export const DEFAULT_IMAGE_BUILD_TIMEOUT_MS = 30 * 60 * 1000;
export const DEFAULT_IMAGE_PROGRESS_INTERVAL_MS = 15_000;
export const DEFAULT_WATCH_INTERVAL_MS = 1000;
export const DEFAULT_WATCH_IDLE_INTERVAL_MS = 30_000;
export const DEFAULT_ORPHAN_TIMEOUT_MS = 120_000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
export const DEFAULT_STATE_CHECK_INTERVAL_MS = 2000;
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60 * 1000;
/** The tag that carries the session id on every sandbox this provider creates. */
export const SESSION_TAG = 'agent-runtime.session';
/** The tag that carries the deployment (see `deployment`). */
export const DEPLOYMENT_TAG = 'agent-runtime.deployment';

/** Where the default image puts the agent CLIs (for `createClaudeArchitecture` / `createGeminiArchitecture`). */
export const MODAL_IMAGE_AGENT_PATHS = {
  claudeExecutable: '/usr/local/bin/claude',
  node: '/usr/local/bin/node',
  geminiEntry: '/usr/local/lib/node_modules/@google/gemini-cli/bundle/gemini.js',
} as const;
