import type { AgentRuntimeError, SandboxExecOptions, SandboxFileOptions, SandboxProcess } from '@agent-runtime/core';
import type { Sandbox as ModalSandboxHandle } from 'modal';
import { invalidInputError, mapModalError, sandboxTerminatedError } from './errors.js';
import { checkedPath } from './files/file-paths.js';
import { ERROR_TAIL } from './modal-sandbox-files.js';
import type { ModalSandboxSettings } from './modal-sandbox-settings.js';
import { assertReachableModelUrls, withoutModelKeys } from './model-env.js';
import type { SandboxLiveness } from './process/liveness.js';
import { ModalProcess, type KillSignal } from './process/modal-process.js';
import { runScript, type ScriptResult } from './process/run-script.js';
import { EXEC_WRAPPER, KILL_SCRIPT, STOP_LEFTOVERS_SCRIPT } from './process/scripts.js';

export interface ModalSandboxProcessesDependencies {
  settings: ModalSandboxSettings;
  sandboxId: string;
  homePath: string;
  liveness: SandboxLiveness;
  /** True once `terminate()` ran or a poll said the sandbox stopped. */
  isStopped(): boolean;
  /** Asks Modal whether the sandbox finished (remembered). */
  hasStopped(): Promise<boolean>;
  assertOpen(): void;
  mapError(error: unknown, action: string): Promise<AgentRuntimeError>;
  /** A process started (+1) or ended (-1). */
  processActivity(delta: 1 | -1): void;
  /** A short script exec in the workspace root (see `ModalSandboxFiles.script`). */
  script(script: string, args: string[], options: SandboxFileOptions, action: string): Promise<ScriptResult>;
}

/**
 * The processes of a `ModalSandbox`: execs wrapped so they can be signalled by pid file and stop
 * themselves when this host's heartbeat stops, and the leftovers an earlier host's execs left.
 */
export class ModalSandboxProcesses {
  private readonly handle: ModalSandboxHandle;
  private execCount = 0;
  private readonly heartbeatFile: string;
  /** Pid files of the execs this handle started that still run (spared by `stopLeftoverProcesses`). */
  private readonly ownPidFiles = new Set<string>();

  constructor(private readonly deps: ModalSandboxProcessesDependencies) {
    this.handle = deps.settings.handle;
    // One heartbeat file per handle (per host): a node that reattaches after a failover beats its
    // own, so the processes a dead node left are not kept alive by the new node's beats.
    this.heartbeatFile = `${deps.settings.layout.pidDirectory}/heartbeat-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  }

  async exec(command: string[], options: SandboxExecOptions = {}): Promise<SandboxProcess> {
    const { settings, liveness } = this.deps;
    const { layout } = settings;
    if (!Array.isArray(command) || command.length === 0 || command.some((part) => typeof part !== 'string')) {
      throw invalidInputError('exec needs a non-empty array of strings.');
    }
    const sameAsWorkspace = options.cwd === undefined || options.cwd === '' || options.cwd === '.' || options.cwd === './';
    const workdir = sameAsWorkspace ? layout.apiWorkspacePath : `${layout.apiWorkspacePath}/${checkedPath(options.cwd as string)}`;
    this.deps.assertOpen();
    this.execCount += 1;
    const pidFile = `${layout.pidDirectory}/${Date.now().toString(36)}-${this.execCount}-${Math.random().toString(36).slice(2, 8)}.pid`;
    if (settings.checkModelUrls) assertReachableModelUrls(options.env);
    const merged = { ...settings.env, HOME: this.deps.homePath, ...options.env };
    const env = settings.stripModelKeys ? withoutModelKeys(merged) : merged;
    const orphanSeconds = Math.ceil(settings.orphanTimeoutMs / 1000);
    // Modal's own exec timeout (whole seconds) is a backstop for when this process is gone.
    const backstopMs =
      options.timeoutMs === undefined ? undefined : Math.max(1, Math.ceil((options.timeoutMs + settings.killGraceMs) / 1000) + 1) * 1000;
    const started = this.handle
      .exec(['sh', '-c', EXEC_WRAPPER, pidFile, this.heartbeatFile, String(orphanSeconds), ...command], {
        mode: 'binary',
        workdir,
        env,
        ...(backstopMs === undefined ? {} : { timeoutMs: backstopMs }),
      })
      .catch(async (error: unknown) => {
        throw await this.deps.mapError(error, 'start a process');
      });
    const process = await liveness.race(started, () => {
      throw sandboxTerminatedError(this.deps.sandboxId);
    });
    const release = liveness.hold();
    this.deps.processActivity(1);
    this.ownPidFiles.add(pidFile);
    let exited = false;
    return new ModalProcess(process, {
      died: liveness.died,
      onExit: () => {
        release();
        if (exited) return;
        exited = true;
        this.ownPidFiles.delete(pidFile);
        this.deps.processActivity(-1);
      },
      pipeStdin: options.stdin === 'pipe',
      sendSignal: (signal) => this.signal(pidFile, signal),
      onWaitError: async (error) => {
        if (await this.deps.hasStopped()) return 137;
        throw mapModalError(error, 'wait for a process', { sandboxId: this.deps.sandboxId });
      },
      killGraceMs: settings.killGraceMs,
      logger: settings.logger,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  /** See `ModalSandbox.stopLeftoverProcesses`. */
  async stopLeftoverProcesses(): Promise<number> {
    const { sandboxId } = this.deps;
    const result = await this.deps.script(STOP_LEFTOVERS_SCRIPT, [this.deps.settings.layout.pidDirectory, ...this.ownPidFiles], {}, 'stop leftover processes');
    if (result.code !== 0) {
      throw mapModalError(new Error(`exit ${result.code}: ${result.stderr.trim().slice(-ERROR_TAIL) || 'no output'}`), 'stop leftover processes', { sandboxId });
    }
    const stopped = Number.parseInt(new TextDecoder().decode(result.stdout).trim(), 10);
    if (stopped > 0) this.deps.settings.logger.info({ sandboxId, stopped }, 'sandbox-modal: stopped processes an earlier host left running');
    return Number.isNaN(stopped) ? 0 : stopped;
  }

  /** Refreshes the heartbeat file the exec wrappers watch (see `EXEC_WRAPPER`). */
  async beat(): Promise<void> {
    if (this.deps.isStopped()) return;
    const result = await runScript(this.handle, 'touch "$1"', [this.heartbeatFile], { workdir: '/' });
    if (result.code !== 0) throw new Error(`heartbeat exited ${result.code}: ${result.stderr.trim()}`);
  }

  private async signal(pidFile: string, signal: KillSignal): Promise<void> {
    if (this.deps.isStopped()) return;
    const name = signal.replace(/^SIG/, '');
    const result = await runScript(this.handle, KILL_SCRIPT, [pidFile, name], { workdir: '/' });
    if (result.code !== 0) throw new Error(`kill exited ${result.code}: ${result.stderr.trim()}`);
  }
}
