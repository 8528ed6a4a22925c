import type { Logger } from '@agent-runtime/core';
import type { Sandbox as ModalSandboxHandle } from 'modal';

/** Where things are, as Modal's API names them (`api*`) and as processes see them. */
export interface ModalSandboxLayout {
  apiWorkspacePath: string;
  apiHomePath: string;
  /** Physical paths printed by `pwd -P` inside the sandbox (the same in Modal; mapped in the fake). */
  workspacePath: string;
  homePath: string;
  /** Directory for the pid files of running execs. */
  pidDirectory: string;
}

export interface ModalSandboxSettings {
  handle: ModalSandboxHandle;
  sessionId: string;
  layout: ModalSandboxLayout;
  env: Record<string, string>;
  watchIntervalMs: number;
  /** See `ModalSandboxProviderOptions.watchIdleIntervalMs`. */
  watchIdleIntervalMs: number;
  killGraceMs: number;
  /** See `ModalSandboxProviderOptions` (`orphanTimeoutMs`, `heartbeatIntervalMs`, `stateCheckIntervalMs`). */
  orphanTimeoutMs: number;
  heartbeatIntervalMs: number;
  stateCheckIntervalMs: number;
  /** Refuse localhost model URLs in exec env (`allowLocalhostModelUrls` off). */
  checkModelUrls: boolean;
  /** Replace model keys in exec env by a placeholder (`modelKeySecret` set). */
  stripModelKeys: boolean;
  logger: Logger;
}
