import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { AgentRuntimeError, SandboxProcess } from '@agent-runtime/core';
import { sandboxError } from '../errors.js';
import { readableFromNode, writableFromNode } from './node-streams.js';
import { sandboxInitPid, sandboxedCommandPid } from './process-tree.js';

export interface LocalSpawnOptions {
  executable: string;
  args: string[];
  /** The complete environment of the process (nothing is inherited from the host). */
  env: Record<string, string>;
  /** Host working directory of the spawned executable. */
  cwd: string;
  stdin: 'pipe' | 'ignore';
  /** True when `executable` is bwrap: signals go to the command inside, SIGKILL to bwrap. */
  isolated: boolean;
  killGraceMs: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

type Signal = 'SIGTERM' | 'SIGKILL' | 'SIGINT';

/** One process of a local sandbox. */
export class LocalProcess implements SandboxProcess {
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  readonly exited: Promise<number>;
  /** Why the sandbox killed it on its own (a limit), if it did. */
  stopError: AgentRuntimeError | undefined;
  private exitCode: number | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly removeAbortListener: () => void = () => {};

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: LocalSpawnOptions,
  ) {
    const { stdin, stdout, stderr } = child;
    if (!stdout || !stderr) throw new Error('child without stdout/stderr pipes');
    this.stdin = stdin ? writableFromNode(stdin) : null;
    this.stdout = readableFromNode(stdout);
    this.stderr = readableFromNode(stderr);
    this.exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
        for (const timer of this.timers) clearTimeout(timer);
        this.removeAbortListener();
        resolve(this.exitCode);
      });
    });
    if (options.timeoutMs !== undefined) this.timers.push(setTimeout(() => this.kill(), options.timeoutMs));
    const { signal } = options;
    if (signal) {
      const onAbort = () => this.kill();
      if (signal.aborted) queueMicrotask(onAbort);
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.removeAbortListener = () => signal.removeEventListener('abort', onAbort);
      }
    }
  }

  /** Spawns the process; resolves once it runs, rejects with `SANDBOX_ERROR` when it cannot start. */
  static start(options: LocalSpawnOptions): Promise<LocalProcess> {
    const child = spawn(options.executable, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin, 'pipe', 'pipe'],
      // Unisolated processes get their own process group so that kill reaches their children.
      detached: !options.isolated,
    });
    return new Promise((resolve, reject) => {
      child.once('error', (error) => reject(sandboxError(`Could not start "${options.executable}": ${error.message}`, error)));
      child.once('spawn', () => resolve(new LocalProcess(child, options)));
    });
  }

  /** SIGKILL because of a limit: `stopError` tells the process's owner why it ended. */
  stopForLimit(error: AgentRuntimeError): void {
    if (!this.running) return;
    this.stopError = error;
    this.kill('SIGKILL');
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  wait(): Promise<number> {
    return this.exited;
  }

  kill(signal: Signal = 'SIGTERM'): void {
    if (!this.running) return;
    this.send(signal);
    if (signal !== 'SIGKILL') {
      const timer = setTimeout(() => this.send('SIGKILL'), this.options.killGraceMs);
      timer.unref();
      this.timers.push(timer);
    }
  }

  private send(signal: Signal): void {
    const pid = this.child.pid;
    if (pid === undefined || !this.running) return;
    if (!this.options.isolated) {
      signalQuietly(-pid, signal) || signalQuietly(pid, signal);
      return;
    }
    // SIGKILL goes to the namespace's init: the kernel then kills every process in it before the
    // init is gone, and bwrap exits only after that, so once `exited` resolves nothing is left.
    // Other signals go to the command's process group, so that it can shut down gracefully.
    const target = signal === 'SIGKILL' ? sandboxInitPid(pid) : sandboxedCommandPid(pid);
    if (target !== undefined) {
      if (signal === 'SIGKILL') signalQuietly(target, signal);
      else signalQuietly(-target, signal) || signalQuietly(target, signal);
      return;
    }
    // bwrap is still setting up (or the command has just exited). Signalling the outer bwrap now
    // could orphan a namespace that is being created, so try again shortly.
    this.timers.push(setTimeout(() => this.send(signal), 10));
  }
}

function signalQuietly(pid: number, signal: Signal): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
