import type {
  Logger,
  Sandbox,
  SandboxExecOptions,
  SandboxFileInfo,
  SandboxFileOptions,
  SandboxListOptions,
  SandboxProcess,
  SandboxWatcher,
  WorkspaceChange,
} from '@agent-runtime/core';
import { pathRefusedError } from '@agent-runtime/core';
import type { Sandbox as ModalSandboxHandle } from 'modal';
import { fileNotFoundError, invalidInputError, isNotFound, mapModalError, sandboxTerminatedError } from './errors.js';
import { BATCH_END, encodeBatch, parseBatchFailures, type BatchFile } from './files/batch-write.js';
import { checkedPath, parseFileList } from './files/file-paths.js';
import { assertReachableModelUrls, withoutModelKeys } from './model-env.js';
import { SandboxLiveness } from './process/liveness.js';
import { ModalProcess, type KillSignal } from './process/modal-process.js';
import { runScript, type ScriptResult } from './process/run-script.js';
import {
  BATCH_WRITE_SCRIPT,
  DELETE_SCRIPT,
  EXEC_WRAPPER,
  FILE_EXIT,
  KILL_SCRIPT,
  LIST_SCRIPT,
  READ_SCRIPT,
  STOP_LEFTOVERS_SCRIPT,
  WRITE_SCRIPT,
} from './process/scripts.js';
import { labelsToTags } from './labels.js';
import { DEPLOYMENT_TAG, SESSION_TAG } from './modal-sandbox-options.js';
import { startPollingWatcher, type PollingWatcher } from './watch/polling-watcher.js';

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

const ERROR_TAIL = 500;

/** A `Sandbox` on one Modal sandbox. Everything goes through `exec`; see README for why. */
export class ModalSandbox implements Sandbox {
  readonly provider = 'modal';
  readonly id: string;
  readonly sessionId: string;
  readonly workspacePath: string;
  readonly homePath: string;
  private readonly handle: ModalSandboxHandle;
  private readonly layout: ModalSandboxLayout;
  private readonly watchers = new Set<PollingWatcher>();
  /** Processes started with `exec` that have not exited (file calls and kills are not counted). */
  private runningProcesses = 0;
  private stopped = false;
  private terminating: Promise<void> | undefined;
  private execCount = 0;
  private readonly liveness: SandboxLiveness;
  private readonly heartbeatFile: string;
  /** Pid files of the execs this handle started that still run (spared by `stopLeftoverProcesses`). */
  private readonly ownPidFiles = new Set<string>();

  constructor(private readonly settings: ModalSandboxSettings) {
    this.handle = settings.handle;
    this.id = settings.handle.sandboxId;
    this.sessionId = settings.sessionId;
    this.layout = settings.layout;
    this.workspacePath = settings.layout.workspacePath;
    this.homePath = settings.layout.homePath;
    // One heartbeat file per handle (per host): a node that reattaches after a failover beats its
    // own, so the processes a dead node left are not kept alive by the new node's beats.
    this.heartbeatFile = `${settings.layout.pidDirectory}/heartbeat-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    this.liveness = new SandboxLiveness({
      hasStopped: () => this.hasStopped(),
      beat: () => this.beat(),
      stateCheckIntervalMs: settings.stateCheckIntervalMs,
      heartbeatIntervalMs: settings.orphanTimeoutMs > 0 ? settings.heartbeatIntervalMs : 0,
      logger: settings.logger,
    });
  }

  async exec(command: string[], options: SandboxExecOptions = {}): Promise<SandboxProcess> {
    if (!Array.isArray(command) || command.length === 0 || command.some((part) => typeof part !== 'string')) {
      throw invalidInputError('exec needs a non-empty array of strings.');
    }
    const sameAsWorkspace = options.cwd === undefined || options.cwd === '' || options.cwd === '.' || options.cwd === './';
    const workdir = sameAsWorkspace ? this.layout.apiWorkspacePath : `${this.layout.apiWorkspacePath}/${checkedPath(options.cwd as string)}`;
    this.assertOpen();
    this.execCount += 1;
    const pidFile = `${this.layout.pidDirectory}/${Date.now().toString(36)}-${this.execCount}-${Math.random().toString(36).slice(2, 8)}.pid`;
    if (this.settings.checkModelUrls) assertReachableModelUrls(options.env);
    const merged = { ...this.settings.env, HOME: this.homePath, ...options.env };
    const env = this.settings.stripModelKeys ? withoutModelKeys(merged) : merged;
    const orphanSeconds = Math.ceil(this.settings.orphanTimeoutMs / 1000);
    // Modal's own exec timeout (whole seconds) is a backstop for when this process is gone.
    const backstopMs =
      options.timeoutMs === undefined ? undefined : Math.max(1, Math.ceil((options.timeoutMs + this.settings.killGraceMs) / 1000) + 1) * 1000;
    const started = this.handle
      .exec(['sh', '-c', EXEC_WRAPPER, pidFile, this.heartbeatFile, String(orphanSeconds), ...command], {
        mode: 'binary',
        workdir,
        env,
        ...(backstopMs === undefined ? {} : { timeoutMs: backstopMs }),
      })
      .catch(async (error: unknown) => {
        throw await this.mapError(error, 'start a process');
      });
    const process = await this.liveness.race(started, () => {
      throw sandboxTerminatedError(this.id);
    });
    const release = this.liveness.hold();
    this.processActivity(1);
    this.ownPidFiles.add(pidFile);
    let exited = false;
    return new ModalProcess(process, {
      died: this.liveness.died,
      onExit: () => {
        release();
        if (exited) return;
        exited = true;
        this.ownPidFiles.delete(pidFile);
        this.processActivity(-1);
      },
      pipeStdin: options.stdin === 'pipe',
      sendSignal: (signal) => this.signal(pidFile, signal),
      onWaitError: async (error) => {
        if (await this.hasStopped()) return 137;
        throw mapModalError(error, 'wait for a process', { sandboxId: this.id });
      },
      killGraceMs: this.settings.killGraceMs,
      logger: this.settings.logger,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  }

  async readFile(path: string, options: SandboxFileOptions = {}): Promise<Uint8Array> {
    const relative = checkedPath(path);
    const result = await this.script(READ_SCRIPT, [relative], options, 'read a file');
    this.fileResult(result, path, 'read');
    return result.stdout;
  }

  async writeFile(path: string, content: string | Uint8Array, options: SandboxFileOptions = {}): Promise<void> {
    const relative = checkedPath(path);
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    const result = await this.script(WRITE_SCRIPT, [relative], options, 'write a file', bytes);
    this.nudgeWatchers();
    this.fileResult(result, path, 'write');
  }

  /**
   * Writes many files with ONE exec (beyond the `Sandbox` interface): what restoring a workspace
   * and its transcripts needs. Paths are checked as `writeFile` checks them; all files are tried,
   * then the first failure is thrown.
   */
  async writeFiles(files: readonly BatchFile[]): Promise<void> {
    const batch = encodeBatch(files);
    let failure: unknown;
    if (batch.entries.length > 0) {
      const input = [...batch.entries.flatMap((entry) => [entry.header, entry.bytes]), BATCH_END];
      const result = await this.script(BATCH_WRITE_SCRIPT, [this.layout.workspacePath, this.layout.homePath], {}, 'write files', input);
      this.nudgeWatchers();
      if (result.code !== 0) {
        throw mapModalError(new Error(`exit ${result.code}: ${result.stderr.trim().slice(-ERROR_TAIL) || 'no output'}`), 'write files', { sandboxId: this.id });
      }
      for (const { position, code } of parseBatchFailures(result.stdout)) {
        const entry = batch.entries[position];
        if (!entry) continue;
        try {
          this.fileResult({ code, stdout: new Uint8Array(), stderr: '' }, entry.path, 'write');
        } catch (error) {
          failure ??= error;
        }
      }
    }
    for (const index of batch.single) {
      const file = files[index] as BatchFile;
      await this.writeFile(file.path, file.content, file.root === undefined ? {} : { root: file.root }).catch((error: unknown) => {
        failure ??= error;
      });
    }
    if (failure !== undefined) throw failure;
  }

  async listFiles(options: SandboxListOptions = {}): Promise<SandboxFileInfo[]> {
    const directory = options.directory === undefined ? '' : checkedPath(options.directory);
    const recursive = options.recursive ?? true;
    const result = await this.script(LIST_SCRIPT, [directory, recursive ? '1' : '0'], options, 'list files');
    // find exits 1 when a file vanishes mid-walk; its listing is still good.
    if (result.code === 1 && /No such file|Permission denied/.test(result.stderr)) return parseFileList(result.stdout, directory);
    this.fileResult(result, options.directory ?? '.', 'list');
    return parseFileList(result.stdout, directory);
  }

  async deleteFile(path: string, options: SandboxFileOptions = {}): Promise<void> {
    const relative = checkedPath(path);
    const result = await this.script(DELETE_SCRIPT, [relative], options, 'delete a file');
    this.nudgeWatchers();
    this.fileResult(result, path, 'delete');
  }

  async watch(listener: (change: WorkspaceChange) => void): Promise<SandboxWatcher> {
    this.assertOpen();
    const watcher = await startPollingWatcher(listener, {
      list: () => this.listFiles(),
      alive: () => !this.stopped,
      busy: () => this.runningProcesses > 0,
      intervalMs: this.settings.watchIntervalMs,
      idleIntervalMs: this.settings.watchIdleIntervalMs,
      logger: this.settings.logger,
    });
    this.watchers.add(watcher);
    return {
      close: async () => {
        this.watchers.delete(watcher);
        await watcher.close();
      },
    };
  }

  /**
   * Sets `labels` as tags, merged over the sandbox's current ones (`setTags` replaces the whole
   * set); the session and deployment tags stay as they are.
   */
  async updateLabels(labels: Record<string, string>): Promise<void> {
    this.assertOpen();
    try {
      const current = await this.handle.getTags();
      const kept = Object.fromEntries([SESSION_TAG, DEPLOYMENT_TAG].flatMap((tag) => (current[tag] === undefined ? [] : [[tag, current[tag]]])));
      await this.handle.setTags({ ...current, ...labelsToTags(labels), ...kept });
    } catch (error) {
      throw await this.mapError(error, 'update the tags of a sandbox');
    }
  }

  /**
   * Stops the process groups an earlier host's execs left running (their pid files are in the
   * pid directory; this handle's own running execs are spared). One exec; SIGTERM, then SIGKILL
   * after 3 s. The SDK has no per-exec kill, so this is the only way to stop them from here.
   */
  async stopLeftoverProcesses(): Promise<number> {
    const result = await this.script(STOP_LEFTOVERS_SCRIPT, [this.layout.pidDirectory, ...this.ownPidFiles], {}, 'stop leftover processes');
    if (result.code !== 0) {
      throw mapModalError(new Error(`exit ${result.code}: ${result.stderr.trim().slice(-ERROR_TAIL) || 'no output'}`), 'stop leftover processes', { sandboxId: this.id });
    }
    const stopped = Number.parseInt(new TextDecoder().decode(result.stdout).trim(), 10);
    if (stopped > 0) this.settings.logger.info({ sandboxId: this.id, stopped }, 'sandbox-modal: stopped processes an earlier host left running');
    return Number.isNaN(stopped) ? 0 : stopped;
  }

  async isRunning(): Promise<boolean> {
    if (this.stopped) return false;
    return !(await this.hasStopped());
  }

  terminate(): Promise<void> {
    this.terminating ??= (async () => {
      this.stopped = true;
      this.liveness.markDead();
      await Promise.all([...this.watchers].map((watcher) => watcher.close()));
      this.watchers.clear();
      try {
        // Wait until Modal reports it finished: the session's sandbox name is free again at once.
        await this.handle.terminate({ wait: true });
      } catch (error) {
        if (!isNotFound(error)) throw mapModalError(error, 'terminate a sandbox', { sandboxId: this.id });
      }
      this.settings.logger.debug({ sandboxId: this.id, sessionId: this.sessionId }, 'sandbox-modal: terminated');
    })();
    return this.terminating;
  }

  /** A process started (+1) or ended (-1): the change feeds poll faster around it. */
  private processActivity(delta: 1 | -1): void {
    this.runningProcesses += delta;
    this.nudgeWatchers();
  }

  /** Something may have changed files (a process, or a write of ours): the change feeds look soon. */
  private nudgeWatchers(): void {
    for (const watcher of this.watchers) watcher.activity();
  }

  /** True once Modal reports the sandbox finished (or forgot it). Remembers the answer. */
  private async hasStopped(): Promise<boolean> {
    if (this.stopped) return true;
    try {
      if ((await this.handle.poll()) !== null) this.stopped = true;
    } catch (error) {
      if (!isNotFound(error)) throw mapModalError(error, 'poll a sandbox', { sandboxId: this.id });
      this.stopped = true;
    }
    if (this.stopped) this.liveness.markDead();
    return this.stopped;
  }

  private assertOpen(): void {
    if (this.stopped) throw sandboxTerminatedError(this.id);
  }

  private async mapError(error: unknown, action: string) {
    const stopped = await this.hasStopped().catch(() => false);
    return mapModalError(error, action, { sandboxId: this.id, stopped });
  }

  private async script(
    script: string,
    args: string[],
    options: SandboxFileOptions,
    action: string,
    input?: Uint8Array | readonly Uint8Array[],
  ): Promise<ScriptResult> {
    this.assertOpen();
    const workdir = options.root === 'home' ? this.layout.apiHomePath : this.layout.apiWorkspacePath;
    const run = runScript(this.handle, script, args, { workdir, ...(input === undefined ? {} : { input }) }).catch(async (error: unknown) => {
      throw await this.mapError(error, action);
    });
    return this.liveness.race(run, () => {
      throw sandboxTerminatedError(this.id);
    });
  }

  /** Refreshes the heartbeat file the exec wrappers watch (see `EXEC_WRAPPER`). */
  private async beat(): Promise<void> {
    if (this.stopped) return;
    const result = await runScript(this.handle, 'touch "$1"', [this.heartbeatFile], { workdir: '/' });
    if (result.code !== 0) throw new Error(`heartbeat exited ${result.code}: ${result.stderr.trim()}`);
  }

  private fileResult(result: ScriptResult, path: string, action: string): void {
    switch (result.code) {
      case 0:
        return;
      case FILE_EXIT.refused:
        throw pathRefusedError(path, 'it resolves (through a symlink) outside its root');
      case FILE_EXIT.notFound:
        throw fileNotFoundError(path);
      case FILE_EXIT.notAFile:
        throw invalidInputError(`Cannot ${action} "${path.slice(0, 200)}": it is a directory.`, { path: path.slice(0, 200) });
      default:
        throw mapModalError(new Error(`exit ${result.code}: ${result.stderr.trim().slice(-ERROR_TAIL) || 'no output'}`), `${action} "${path.slice(0, 200)}"`, {
          sandboxId: this.id,
        });
    }
  }

  private async signal(pidFile: string, signal: KillSignal): Promise<void> {
    if (this.stopped) return;
    const name = signal.replace(/^SIG/, '');
    const result = await runScript(this.handle, KILL_SCRIPT, [pidFile, name], { workdir: '/' });
    if (result.code !== 0) throw new Error(`kill exited ${result.code}: ${result.stderr.trim()}`);
  }
}
