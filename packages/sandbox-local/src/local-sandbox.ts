import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AgentRuntimeError,
  Logger,
  Sandbox,
  SandboxExecOptions,
  SandboxFileInfo,
  SandboxFileOptions,
  SandboxListOptions,
  SandboxModelEndpoint,
  SandboxModelUpstream,
  SandboxProcess,
  SandboxReadFileOptions,
  SandboxWatcher,
  WorkspaceChange,
} from '@agent-runtime/core';
import { SANDBOX_RUN_DIRECTORY, bwrapArguments, privilegeDrop } from './bwrap/bwrap-arguments.js';
import { type LimitTools, type ResolvedSandboxLimits, limitedCommand } from './limits/sandbox-limits.js';
import type { EgressProxy } from './network/egress-proxy.js';
import { SANDBOX_PROXY_PORT, socatDoorCommand } from './network/forwarder-script.js';
import { fileNotFoundError, invalidInputError, sandboxTerminatedError, workspaceLimitError } from './errors.js';
import { checkedRelativePath, realpathInside } from './files/resolve-sandbox-path.js';
import { SandboxFiles } from './files/sandbox-files.js';
import { WorkspaceUsage } from './limits/workspace-usage.js';
import { LocalProcess } from './process/local-process.js';
import { WorkspaceWatcher } from './watch/workspace-watcher.js';

/** util-linux's setpriv, inside the sandbox (under the read-only /usr). */
const SETPRIV = '/usr/bin/setpriv';

/**
 * Disk accounting re-checks a growing file at least this often, however steadily it is written:
 * the overshoot past `limits.workspaceMiB` is about the write rate times this (plus the kill).
 */
const ACCOUNTING_MAX_DELAY_MS = 100;
const ACCOUNTING_DEBOUNCE_MS = 20;

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
  /** The sandbox's own host uid/gid (when the runtime is root); processes and files belong to it. */
  owner?: { uid: number; gid: number };
  /** `'none'`: own network namespace, reachable only through `proxy`; `'shared'`: the host's. */
  network: 'none' | 'shared';
  /** The egress proxy: on a unix socket in `runDirectory` ('none'), or on 127.0.0.1:`proxyPort`. */
  proxy: EgressProxy;
  proxyPort?: number;
  /** Host directory holding `proxy.sock` and the forwarder script, bound read-only inside. */
  runDirectory?: string;
  /** Node binary that runs the in-sandbox forwarder (visible inside). */
  nodePath: string;
  /** socat under /usr (visible inside): the cheaper forwarder, used when present. */
  socatPath?: string;
  limits: ResolvedSandboxLimits;
  limitTools: LimitTools;
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
  /** Disk accounting of the workspace (`limits.workspaceMiB`), fed by a watcher of its own. */
  private readonly usage: WorkspaceUsage;
  private usageWatcher: WorkspaceWatcher | undefined;
  private limitBreach: AgentRuntimeError | undefined;

  constructor(private readonly setup: LocalSandboxSetup) {
    this.id = setup.id;
    this.sessionId = setup.sessionId;
    this.workspacePath = join(setup.directory, 'workspace');
    this.homePath = join(setup.directory, 'home');
    this.files = { workspace: new SandboxFiles(this.workspacePath, setup.owner), home: new SandboxFiles(this.homePath, setup.owner) };
    this.usage = new WorkspaceUsage(setup.limits.workspaceBytes, (usedBytes, path) => this.workspaceOverLimit(usedBytes, path));
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
    const env = { PATH: this.setup.path, HOME: this.homePath, LANG: 'C.UTF-8', ...this.proxyEnv(), ...this.setup.env, ...options.env };
    const isolated = this.setup.bwrapPath !== null;
    const common = { env, stdin: options.stdin ?? 'ignore', isolated, killGraceMs: this.setup.killGraceMs } as const;
    const timing = {
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    };
    let launched: LocalProcess;
    if (this.setup.bwrapPath === null) {
      launched = await LocalProcess.start({ ...common, ...timing, executable: command[0] as string, args: command.slice(1), cwd });
    } else {
      const { owner, network, runDirectory, limits, limitTools } = this.setup;
      const door = network === 'none' && runDirectory !== undefined;
      const socket = `${SANDBOX_RUN_DIRECTORY}/proxy.sock`;
      const opened = !door
        ? command
        : this.setup.socatPath
          ? socatDoorCommand(this.setup.socatPath, socket, command)
          : [this.setup.nodePath, `${SANDBOX_RUN_DIRECTORY}/forwarder.mjs`, String(SANDBOX_PROXY_PORT), socket, ...command];
      const inner = [...(owner ? privilegeDrop(SETPRIV, owner) : []), ...opened];
      const bwrap = bwrapArguments({
        workspacePath: this.workspacePath,
        homePath: this.homePath,
        readOnlyPaths: this.setup.readOnlyPaths,
        ...(door ? { runDirectory } : {}),
        cwd,
        unshareNetwork: network === 'none',
        tmpBytes: limits.tmpBytes,
        dropsToOwnUid: owner !== undefined,
      });
      const wrapped = limitedCommand(limitTools, limits, owner !== undefined, this.setup.bwrapPath, [...bwrap, '--', ...inner]);
      launched = await LocalProcess.start({ ...common, ...timing, executable: wrapped.executable, args: wrapped.args, cwd: this.workspacePath });
    }
    this.processes.add(launched);
    void launched.exited.then(() => this.processes.delete(launched));
    if (this.terminating) launched.kill('SIGKILL'); // terminate() began while it was starting
    return launched;
  }

  async readFile(path: string, options: SandboxReadFileOptions = {}): Promise<Uint8Array> {
    this.assertRunning();
    return this.filesOf(options).read(path, { maxBytes: options.maxBytes });
  }

  async modelEndpoint(upstream: SandboxModelUpstream): Promise<SandboxModelEndpoint> {
    this.assertRunning();
    const token = this.setup.proxy.addModelRoute(upstream);
    return { baseUrl: this.proxyBaseUrl(), token, proxyEnv: this.proxyEnv() };
  }

  async allowNetworkHosts(hosts: readonly string[]): Promise<void> {
    this.assertRunning();
    this.setup.proxy.setAllowedHosts(hosts);
  }

  async readFileRange(path: string, offset: number, length: number, options: SandboxFileOptions = {}): Promise<Uint8Array> {
    this.assertRunning();
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw invalidInputError('readFileRange: offset and length must be non-negative integers.', { offset, length });
    }
    return this.filesOf(options).read(path, { range: { offset, length } });
  }

  async writeFile(path: string, content: string | Uint8Array, options: SandboxFileOptions = {}): Promise<void> {
    this.assertRunning();
    if ((options.root ?? 'workspace') === 'workspace') {
      const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
      if (this.usage.exceeded || this.usage.wouldExceed(bytes)) {
        throw workspaceLimitError(this.id, this.usage.usedBytes, this.usage.capBytes, path);
      }
    }
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

  /**
   * Starts the workspace's disk accounting: a watcher of its own records the allocated size of
   * every file (the initial scan counts what is already there). Called by the provider.
   */
  async startDiskAccounting(): Promise<void> {
    const watcher = new WorkspaceWatcher(this.workspacePath, () => {}, ACCOUNTING_DEBOUNCE_MS, this.setup.logger, {
      onSize: (path, bytes) => this.usage.record(path, bytes),
      maxDelayMs: ACCOUNTING_MAX_DELAY_MS,
    });
    this.usageWatcher = watcher;
    await watcher.start();
  }

  /** Allocated bytes of the workspace's files as last seen, and the cap (`limits.workspaceMiB`). */
  get diskUsage(): { usedBytes: number; capBytes: number } {
    return { usedBytes: this.usage.usedBytes, capBytes: this.usage.capBytes };
  }

  /**
   * The `LIMIT_EXCEEDED` error of the last time the workspace went over its cap and its processes
   * were killed (cleared once it is back under): lets a caller tell why a process died (exit 137).
   */
  get limitError(): AgentRuntimeError | undefined {
    if (this.limitBreach && !this.usage.exceeded) this.limitBreach = undefined;
    return this.limitBreach;
  }

  private workspaceOverLimit(usedBytes: number, path: string): void {
    if (this.terminating) return;
    this.limitBreach = workspaceLimitError(this.id, usedBytes, this.usage.capBytes, path);
    const running = [...this.processes].filter((child) => child.running);
    this.setup.logger.error(
      { sandboxId: this.id, sessionId: this.sessionId, usedBytes, capBytes: this.usage.capBytes, path, killed: running.length, code: 'LIMIT_EXCEEDED' },
      'sandbox-local: workspace above limits.workspaceMiB; killing its processes (SIGKILL); files already there are kept',
    );
    for (const child of running) child.stopForLimit(this.limitBreach);
  }

  /** The sandbox's own host uid, when the runtime is root (processes and files belong to it). */
  get ownerUid(): number | undefined {
    return this.setup.owner?.uid;
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
    await this.usageWatcher?.close();
    await this.setup.proxy.close();
    if (this.setup.runDirectory) await rm(this.setup.runDirectory, { recursive: true, force: true });
    await rm(this.setup.directory, { recursive: true, force: true, maxRetries: 3 });
    this.setup.onTerminated(this.id);
  }

  private proxyBaseUrl(): string {
    return `http://127.0.0.1:${this.setup.network === 'none' && this.setup.bwrapPath !== null ? SANDBOX_PROXY_PORT : (this.setup.proxyPort ?? 0)}`;
  }

  /** Proxy variables for every process of a sandbox without network: allowlisted hosts go through the door. */
  private proxyEnv(): Record<string, string> {
    if (this.setup.network !== 'none' || this.setup.bwrapPath === null) return {};
    const url = this.proxyBaseUrl();
    const local = '127.0.0.1,localhost,::1';
    return { HTTPS_PROXY: url, HTTP_PROXY: url, https_proxy: url, http_proxy: url, NO_PROXY: local, no_proxy: local };
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
