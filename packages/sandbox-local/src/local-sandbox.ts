import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
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
import { bwrapArguments } from './bwrap/bwrap-arguments.js';
import { fileNotFoundError, invalidInputError, sandboxTerminatedError } from './errors.js';
import { checkedRelativePath, realpathInside } from './files/resolve-sandbox-path.js';
import { SandboxFiles } from './files/sandbox-files.js';
import { LocalProcess } from './process/local-process.js';
import { WorkspaceWatcher } from './watch/workspace-watcher.js';

/** Everything a `LocalSandbox` needs; built by the provider. */
export interface LocalSandboxSetup {
  id: string;
  sessionId: string;
  /** `<dataDir>/sandboxes/<id>` (canonical); removed on terminate. */
  directory: string;
  env: Record<string, string>;
  /** Default PATH of processes. */
  path: string;
  /** Canonical host paths bound read-only. */
  readOnlyPaths: string[];
  /** `null` runs processes without isolation. */
  bwrapPath: string | null;
  /** Epoch milliseconds at which the sandbox is terminated. */
  deadline?: number;
  killGraceMs: number;
  watchDebounceMs: number;
  logger: Logger;
  onTerminated(id: string): void;
}

/** A sandbox of the local provider: a directory pair plus the processes started in it. */
export class LocalSandbox implements Sandbox {
  readonly provider = 'local';
  readonly id: string;
  readonly sessionId: string;
  readonly workspacePath: string;
  readonly homePath: string;
  private readonly processes = new Set<LocalProcess>();
  private readonly watchers = new Set<WorkspaceWatcher>();
  private readonly files: Record<'workspace' | 'home', SandboxFiles>;
  private readonly lifetimeTimer: NodeJS.Timeout | undefined;
  private terminating: Promise<void> | undefined;

  constructor(private readonly setup: LocalSandboxSetup) {
    this.id = setup.id;
    this.sessionId = setup.sessionId;
    this.workspacePath = join(setup.directory, 'workspace');
    this.homePath = join(setup.directory, 'home');
    this.files = { workspace: new SandboxFiles(this.workspacePath), home: new SandboxFiles(this.homePath) };
    if (setup.deadline !== undefined) {
      this.lifetimeTimer = setTimeout(() => {
        setup.logger.info({ sandboxId: this.id, sessionId: this.sessionId }, 'sandbox-local: lifetime (limits.timeoutMs) reached; terminating');
        void this.terminate();
      }, Math.max(0, setup.deadline - Date.now()));
      this.lifetimeTimer.unref();
    }
  }

  async exec(command: string[], options: SandboxExecOptions = {}): Promise<SandboxProcess> {
    this.assertRunning();
    if (!Array.isArray(command) || command.length === 0 || command.some((part) => typeof part !== 'string')) {
      throw invalidInputError('exec needs a non-empty array of strings as its command.');
    }
    const cwd = await this.resolveCwd(options.cwd);
    const env = { PATH: this.setup.path, HOME: this.homePath, LANG: 'C.UTF-8', ...this.setup.env, ...options.env };
    const isolated = this.setup.bwrapPath !== null;
    const common = { env, stdin: options.stdin ?? 'ignore', isolated, killGraceMs: this.setup.killGraceMs } as const;
    const launched = await LocalProcess.start({
      ...common,
      ...(this.setup.bwrapPath !== null
        ? {
            executable: this.setup.bwrapPath,
            args: [
              ...bwrapArguments({ workspacePath: this.workspacePath, homePath: this.homePath, readOnlyPaths: this.setup.readOnlyPaths, cwd }),
              '--',
              ...command,
            ],
            cwd: this.workspacePath,
          }
        : { executable: command[0] as string, args: command.slice(1), cwd }),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    this.processes.add(launched);
    void launched.exited.then(() => this.processes.delete(launched));
    if (this.terminating) launched.kill('SIGKILL'); // terminate() began while it was starting
    return launched;
  }

  async readFile(path: string, options: SandboxFileOptions = {}): Promise<Uint8Array> {
    this.assertRunning();
    return this.filesOf(options).read(path);
  }

  async readFileRange(path: string, offset: number, length: number, options: SandboxFileOptions = {}): Promise<Uint8Array> {
    this.assertRunning();
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw invalidInputError('readFileRange: offset and length must be non-negative integers.', { offset, length });
    }
    return this.filesOf(options).read(path, { offset, length });
  }

  async writeFile(path: string, content: string | Uint8Array, options: SandboxFileOptions = {}): Promise<void> {
    this.assertRunning();
    return this.filesOf(options).write(path, content);
  }

  async listFiles(options: SandboxListOptions = {}): Promise<SandboxFileInfo[]> {
    this.assertRunning();
    return this.filesOf(options).list(options.directory, options.recursive ?? true);
  }

  async deleteFile(path: string, options: SandboxFileOptions = {}): Promise<void> {
    this.assertRunning();
    return this.filesOf(options).delete(path);
  }

  async watch(listener: (change: WorkspaceChange) => void): Promise<SandboxWatcher> {
    this.assertRunning();
    const watcher = new WorkspaceWatcher(this.workspacePath, listener, this.setup.watchDebounceMs, this.setup.logger);
    this.watchers.add(watcher);
    await watcher.start();
    return {
      close: async () => {
        this.watchers.delete(watcher);
        await watcher.close();
      },
    };
  }

  async isRunning(): Promise<boolean> {
    return this.terminating === undefined;
  }

  /** Kills every process (SIGKILL), stops the change feeds and deletes the sandbox directory. */
  terminate(): Promise<void> {
    this.terminating ??= this.shutDown();
    return this.terminating;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.lifetimeTimer);
    const processes = [...this.processes];
    for (const running of processes) running.kill('SIGKILL');
    await Promise.all(processes.map((running) => running.exited));
    await Promise.all([...this.watchers].map((watcher) => watcher.close()));
    this.watchers.clear();
    await rm(this.setup.directory, { recursive: true, force: true, maxRetries: 3 });
    this.setup.onTerminated(this.id);
  }

  private assertRunning(): void {
    if (this.terminating) throw sandboxTerminatedError(this.id);
  }

  private filesOf(options: SandboxFileOptions): SandboxFiles {
    const root = options.root ?? 'workspace';
    if (root !== 'workspace' && root !== 'home') throw invalidInputError(`Unknown sandbox root "${String(root)}".`);
    return this.files[root];
  }

  private async resolveCwd(cwd: string | undefined): Promise<string> {
    if (cwd === undefined || cwd === '' || cwd === '.') return this.workspacePath;
    const relative = checkedRelativePath(cwd);
    const real = await realpathInside(this.workspacePath, join(this.workspacePath, relative), relative);
    if (real === null) throw fileNotFoundError(relative);
    if (!(await stat(real)).isDirectory()) throw invalidInputError(`cwd "${relative}" is not a directory.`, { cwd: relative });
    return real;
  }
}
