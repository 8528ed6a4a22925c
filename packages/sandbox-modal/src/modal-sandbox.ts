import type {
  Sandbox,
  SandboxExecOptions,
  SandboxFileInfo,
  SandboxFileOptions,
  SandboxListOptions,
  SandboxProcess,
  SandboxWatcher,
  WorkspaceChange,
} from '@agent-runtime/core';
import type { Sandbox as ModalSandboxHandle } from 'modal';
import { isNotFound, mapModalError, sandboxTerminatedError } from './errors.js';
import type { BatchFile } from './files/batch-write.js';
import { SandboxLiveness } from './process/liveness.js';
import { labelsToTags } from './labels.js';
import { ModalSandboxFiles } from './modal-sandbox-files.js';
import { ModalSandboxProcesses } from './modal-sandbox-processes.js';
import { DEPLOYMENT_TAG, SESSION_TAG } from './modal-sandbox-options.js';
import type { ModalSandboxSettings } from './modal-sandbox-settings.js';
import { startPollingWatcher, type PollingWatcher } from './watch/polling-watcher.js';

export type { ModalSandboxLayout, ModalSandboxSettings } from './modal-sandbox-settings.js';

/**
 * A `Sandbox` on one Modal sandbox. Everything goes through `exec`; see README for why. File calls
 * are `ModalSandboxFiles`, processes `ModalSandboxProcesses`; this class holds the lifecycle
 * (stopped or not, liveness, terminate), the change feeds and the tags.
 */
export class ModalSandbox implements Sandbox {
  readonly provider = 'modal';
  readonly id: string;
  readonly sessionId: string;
  readonly workspacePath: string;
  readonly homePath: string;
  private readonly handle: ModalSandboxHandle;
  private readonly watchers = new Set<PollingWatcher>();
  /** Processes started with `exec` that have not exited (file calls and kills are not counted). */
  private runningProcesses = 0;
  private stopped = false;
  private terminating: Promise<void> | undefined;
  private readonly liveness: SandboxLiveness;
  private readonly files: ModalSandboxFiles;
  private readonly processes: ModalSandboxProcesses;

  constructor(private readonly settings: ModalSandboxSettings) {
    this.handle = settings.handle;
    this.id = settings.handle.sandboxId;
    this.sessionId = settings.sessionId;
    this.workspacePath = settings.layout.workspacePath;
    this.homePath = settings.layout.homePath;
    this.liveness = new SandboxLiveness({
      hasStopped: () => this.hasStopped(),
      beat: () => this.processes.beat(),
      stateCheckIntervalMs: settings.stateCheckIntervalMs,
      heartbeatIntervalMs: settings.orphanTimeoutMs > 0 ? settings.heartbeatIntervalMs : 0,
      logger: settings.logger,
    });
    const shared = {
      sandboxId: this.id,
      liveness: this.liveness,
      assertOpen: () => this.assertOpen(),
      mapError: (error: unknown, action: string) => this.mapError(error, action),
    };
    this.files = new ModalSandboxFiles({ ...shared, handle: settings.handle, layout: settings.layout, nudgeWatchers: () => this.nudgeWatchers() });
    this.processes = new ModalSandboxProcesses({
      ...shared,
      settings,
      homePath: this.homePath,
      isStopped: () => this.stopped,
      hasStopped: () => this.hasStopped(),
      processActivity: (delta) => this.processActivity(delta),
      script: (script, args, options, action) => this.files.script(script, args, options, action),
    });
  }

  exec(command: string[], options: SandboxExecOptions = {}): Promise<SandboxProcess> {
    return this.processes.exec(command, options);
  }

  readFile(path: string, options: SandboxFileOptions = {}): Promise<Uint8Array> {
    return this.files.readFile(path, options);
  }

  writeFile(path: string, content: string | Uint8Array, options: SandboxFileOptions = {}): Promise<void> {
    return this.files.writeFile(path, content, options);
  }

  /**
   * Writes many files with ONE exec (beyond the `Sandbox` interface): what restoring a workspace
   * and its transcripts needs. Paths are checked as `writeFile` checks them; all files are tried,
   * then the first failure is thrown.
   */
  writeFiles(files: readonly BatchFile[]): Promise<void> {
    return this.files.writeFiles(files);
  }

  listFiles(options: SandboxListOptions = {}): Promise<SandboxFileInfo[]> {
    return this.files.listFiles(options);
  }

  deleteFile(path: string, options: SandboxFileOptions = {}): Promise<void> {
    return this.files.deleteFile(path, options);
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
  stopLeftoverProcesses(): Promise<number> {
    return this.processes.stopLeftoverProcesses();
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
}
