/**
 * Lifecycle of fake sandboxes: a host root directory per sandbox, an optional entrypoint process,
 * execs as REAL local processes (or the emulated fs tool), lifetime and idle timers, terminate.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { FS_TOOLS_PATH, runFsTool } from './fs-tools.js';
import { fakeJwt, newSandboxId, newTaskId } from './ids.js';
import { OutputBuffer } from './output-buffer.js';
import { toHostPath } from './paths.js';
import type { FakeExec, FakeModalState, FakeSandbox, FakeSandboxEndReason, FakeSandboxOptions } from './state.js';

/** GenericResult.GenericStatus values the SDK maps to exit codes. */
export const GenericStatus = { SUCCESS: 1, FAILURE: 2, TERMINATED: 3, TIMEOUT: 4, MEMORY_MANAGER_EVICTION: 8 } as const;

/** Name of the env var every exec'd process gets, holding its sandbox's host root. */
export const ROOT_ENV_VAR = 'MODAL_FAKE_SANDBOX_ROOT';

/** Settings the runtime needs from startFakeModal's options. */
export interface SandboxRuntimeSettings {
  /** Directory under which each sandbox gets `<sandboxId>/` as its root. */
  readonly baseDir: string;
  /** Environment every process starts from (default: the test process's env). */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** Real milliseconds per Modal second for timeoutSecs / idleTimeoutSecs (default 1000). */
  readonly msPerSecond: number;
  readonly watchPollMs: number;
}

/** The exec start request as the SDK sends it (TaskExecStartRequest, the parts we use). */
export interface ExecStartRequest {
  readonly execId: string;
  readonly commandArgs: string[];
  readonly stdoutConfig: number;
  readonly stderrConfig: number;
  readonly timeoutSecs?: number | undefined;
  readonly workdir?: string | undefined;
  readonly secretSources: Array<{ env?: { contents: Record<string, string> } | undefined }>;
}

interface StdinSink {
  write(data: Buffer): void;
  end(): void;
}

interface SandboxInternals {
  readonly finished: Promise<void>;
  readonly resolveFinished: () => void;
  readonly abort: AbortController;
  readonly timers: Set<NodeJS.Timeout>;
  idleTimer: NodeJS.Timeout | undefined;
  entrypoint: ChildProcess | undefined;
  entrypointStdinBytes: number;
}

interface ExecInternals {
  readonly stdin: StdinSink;
  readonly finish: (code: number, signal?: number) => void;
  /** Set once we SIGKILLed it: its 'exit' then finishes it without waiting for stdio to drain. */
  killed: boolean;
}

/** Merge the `env` carried by the SDK's secret sources (secret ids are not resolved). */
export function envFromSecretSources(sources: ExecStartRequest['secretSources']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of sources) Object.assign(env, source.env?.contents ?? {});
  return env;
}

function signalNumber(signal: NodeJS.Signals | null): number | undefined {
  return signal ? (osConstants.signals as Record<string, number>)[signal] : undefined;
}

function killGroup(child: ChildProcess | undefined): void {
  if (!child?.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}

/** Owns every fake sandbox and its processes. */
export class SandboxRuntime {
  readonly #state: FakeModalState;
  readonly #settings: SandboxRuntimeSettings;
  readonly #sandboxInternals = new Map<string, SandboxInternals>();
  readonly #execInternals = new Map<string, ExecInternals>();
  #lastCreatedAt = 0;

  constructor(state: FakeModalState, settings: SandboxRuntimeSettings) {
    this.#state = state;
    this.#settings = settings;
  }

  /** Create a running sandbox (root dir, workdir, entrypoint, timers). */
  create(appId: string, options: FakeSandboxOptions, tags: Record<string, string>, request: unknown): FakeSandbox {
    const sandboxId = newSandboxId();
    const root = path.join(this.#settings.baseDir, sandboxId);
    mkdirSync(root, { recursive: true });
    if (options.workdir) mkdirSync(toHostPath(root, options.workdir), { recursive: true });
    this.#lastCreatedAt = Math.max(Date.now() / 1000, this.#lastCreatedAt + 0.001);
    const sandbox: FakeSandbox = {
      sandboxId,
      taskId: newTaskId(),
      appId,
      root,
      options,
      request,
      createdAt: this.#lastCreatedAt,
      tags,
      status: 'running',
      endReason: undefined,
      result: undefined,
      execs: [],
      stdout: new OutputBuffer(),
      stderr: new OutputBuffer(),
      routerJwt: fakeJwt({ sandbox_id: sandboxId }),
    };
    let resolveFinished!: () => void;
    const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
    const internals: SandboxInternals = {
      finished,
      resolveFinished,
      abort: new AbortController(),
      timers: new Set(),
      idleTimer: undefined,
      entrypoint: undefined,
      entrypointStdinBytes: 0,
    };
    this.#sandboxInternals.set(sandboxId, internals);
    this.#state.sandboxes.set(sandboxId, sandbox);
    this.#startEntrypoint(sandbox, internals);
    if (options.timeoutSecs > 0) {
      const timer = setTimeout(() => this.finish(sandbox, 'timeout'), options.timeoutSecs * this.#settings.msPerSecond);
      internals.timers.add(timer);
    }
    this.#armIdle(sandbox);
    return sandbox;
  }

  /** Resolves when the sandbox finishes, or after `timeoutMs` (whichever first), or on abort. */
  async waitFinished(sandbox: FakeSandbox, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const internals = this.#sandboxInternals.get(sandbox.sandboxId);
    if (!internals || sandbox.status === 'finished' || timeoutMs <= 0) return;
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    await Promise.race([
      internals.finished,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        onAbort = resolve;
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }

  /** Stop a sandbox: kill every process, end all output, record the result. Idempotent. */
  finish(sandbox: FakeSandbox, reason: FakeSandboxEndReason, exitcode = 0): void {
    if (sandbox.status === 'finished') return;
    const internals = this.#sandboxInternals.get(sandbox.sandboxId);
    sandbox.status = 'finished';
    sandbox.endReason = reason;
    const status =
      reason === 'entrypoint-exited'
        ? exitcode === 0
          ? GenericStatus.SUCCESS
          : GenericStatus.FAILURE
        : reason === 'timeout' || reason === 'idle-timeout'
          ? GenericStatus.TIMEOUT
          : reason === 'evicted'
            ? GenericStatus.MEMORY_MANAGER_EVICTION
            : GenericStatus.TERMINATED;
    sandbox.result = { status, exitcode, exception: reason === 'entrypoint-exited' ? '' : `fake-modal: ${reason}` };
    if (internals) {
      for (const timer of internals.timers) clearTimeout(timer);
      if (internals.idleTimer) clearTimeout(internals.idleTimer);
      internals.abort.abort();
      killGroup(internals.entrypoint);
    }
    for (const exec of sandbox.execs) this.#kill(exec);
    sandbox.stdout.close();
    sandbox.stderr.close();
    internals?.resolveFinished();
  }

  /** Start an exec in a running sandbox. Re-sending the same execId returns the existing exec. */
  startExec(sandbox: FakeSandbox, request: ExecStartRequest): FakeExec {
    const existing = sandbox.execs.find((exec) => exec.execId === request.execId);
    if (existing) return existing;
    const internals = this.#sandboxInternals.get(sandbox.sandboxId)!;
    const workdir = request.workdir || undefined;
    const hostCwd = toHostPath(sandbox.root, workdir ?? sandbox.options.workdir ?? '/');
    const env = envFromSecretSources(request.secretSources);
    const [program = '', ...args] = request.commandArgs;
    let resolveDone!: () => void;
    const exec: FakeExec = {
      execId: request.execId,
      sandboxId: sandbox.sandboxId,
      argv: [...request.commandArgs],
      workdir,
      hostCwd,
      env,
      isFilesystemTool: program === FS_TOOLS_PATH,
      startedAt: Date.now(),
      exitCode: undefined,
      signal: undefined,
      stdout: new OutputBuffer(),
      stderr: new OutputBuffer(),
      stdinBytes: 0,
      stdinClosed: false,
      done: new Promise<void>((resolve) => (resolveDone = resolve)),
    };
    sandbox.execs.push(exec);
    this.#disarmIdle(internals);
    const finish = (code: number, signal?: number): void => {
      if (exec.exitCode !== undefined) return;
      exec.exitCode = code;
      exec.signal = signal;
      exec.stdout.close();
      exec.stderr.close();
      resolveDone();
      this.#armIdle(sandbox);
    };
    const stdin = exec.isFilesystemTool
      ? this.#runFsToolExec(sandbox, internals, exec, args[0] ?? '', finish)
      : this.#spawnExec(sandbox, exec, program, args, request, finish);
    this.#execInternals.set(exec.execId, { stdin, finish, killed: false });
    if (request.timeoutSecs && request.timeoutSecs > 0) {
      const timer = setTimeout(() => this.#kill(exec), request.timeoutSecs * this.#settings.msPerSecond);
      internals.timers.add(timer);
      void exec.done.then(() => {
        clearTimeout(timer);
        internals.timers.delete(timer);
      });
    }
    return exec;
  }

  /** Accept stdin for an exec at `offset` (bytes before what we already have are skipped). */
  writeExecStdin(exec: FakeExec, offset: number, data: Uint8Array, eof: boolean): void {
    const sink = this.#execInternals.get(exec.execId)?.stdin;
    if (!sink || exec.stdinClosed) return;
    const skip = Math.max(0, exec.stdinBytes - offset);
    if (skip < data.length) {
      const fresh = Buffer.from(data.subarray(skip));
      exec.stdinBytes += fresh.length;
      sink.write(fresh);
    }
    if (eof) {
      exec.stdinClosed = true;
      sink.end();
    }
  }

  /** Write to the entrypoint's stdin (sb.stdin). */
  writeSandboxStdin(sandbox: FakeSandbox, offset: number, data: Uint8Array, eof: boolean): void {
    const internals = this.#sandboxInternals.get(sandbox.sandboxId);
    const stdin = internals?.entrypoint?.stdin;
    if (!internals || !stdin || stdin.writableEnded) return;
    const skip = Math.max(0, internals.entrypointStdinBytes - offset);
    if (skip < data.length) {
      internals.entrypointStdinBytes += data.length - skip;
      stdin.write(Buffer.from(data.subarray(skip)));
    }
    if (eof) stdin.end();
  }

  /** Kill everything and forget all sandboxes' processes (server shutdown). */
  closeAll(): void {
    for (const sandbox of this.#state.sandboxes.values()) this.finish(sandbox, 'server-closed');
  }

  /** Abort signal that fires when the sandbox stops. */
  signalFor(sandbox: FakeSandbox): AbortSignal {
    return this.#sandboxInternals.get(sandbox.sandboxId)!.abort.signal;
  }

  /**
   * SIGKILL an exec's process group. The exec finishes when the process has really exited (and
   * been reaped), so a caller seeing the exit code can rely on the process being gone. An
   * emulated fs-tool exec finishes at once.
   */
  #kill(exec: FakeExec): void {
    const internals = this.#execInternals.get(exec.execId);
    if (!internals || exec.exitCode !== undefined) return;
    internals.killed = true;
    const child = exec.process;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
      internals.finish(128 + 9, 9);
      return;
    }
    killGroup(child);
  }

  #processEnv(sandbox: FakeSandbox, extra: Record<string, string>): NodeJS.ProcessEnv {
    return { ...this.#settings.baseEnv, ...sandbox.options.env, ...extra, [ROOT_ENV_VAR]: sandbox.root };
  }

  #startEntrypoint(sandbox: FakeSandbox, internals: SandboxInternals): void {
    const [program, ...args] = sandbox.options.command;
    if (!program) return;
    const child = spawn(program, args, {
      cwd: toHostPath(sandbox.root, sandbox.options.workdir ?? '/'),
      env: this.#processEnv(sandbox, {}),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    internals.entrypoint = child;
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (chunk: Buffer) => sandbox.stdout.append(chunk));
    child.stderr.on('data', (chunk: Buffer) => sandbox.stderr.append(chunk));
    child.on('error', (error) => {
      sandbox.stderr.append(Buffer.from(`fake-modal: cannot start entrypoint: ${error.message}\n`));
      this.finish(sandbox, 'entrypoint-exited', 127);
    });
    child.on('close', (code, signal) => {
      const number = signalNumber(signal);
      this.finish(sandbox, 'entrypoint-exited', code ?? 128 + (number ?? 0));
    });
  }

  #spawnExec(
    sandbox: FakeSandbox,
    exec: FakeExec,
    program: string,
    args: string[],
    request: ExecStartRequest,
    finish: (code: number, signal?: number) => void,
  ): StdinSink {
    const child = spawn(program, args, {
      cwd: exec.hostCwd,
      env: this.#processEnv(sandbox, exec.env),
      stdio: ['pipe', request.stdoutConfig === 1 ? 'pipe' : 'ignore', request.stderrConfig === 1 ? 'pipe' : 'ignore'],
      detached: true,
    });
    exec.process = child;
    const stdin = child.stdin!; // always piped
    stdin.on('error', () => undefined);
    child.stdout?.on('data', (chunk: Buffer) => exec.stdout.append(chunk));
    child.stderr?.on('data', (chunk: Buffer) => exec.stderr.append(chunk));
    child.on('error', (error) => {
      exec.stderr.append(Buffer.from(`fake-modal: cannot exec ${program}: ${error.message}\n`));
      finish(127);
    });
    const onEnd = (code: number | null, signal: NodeJS.Signals | null): void => {
      const number = signalNumber(signal);
      finish(code ?? 128 + (number ?? 0), number);
    };
    child.on('close', onEnd);
    child.on('exit', (code, signal) => {
      if (this.#execInternals.get(exec.execId)?.killed) onEnd(code, signal);
    });
    return {
      write: (data) => {
        if (!stdin.writableEnded) stdin.write(data);
      },
      end: () => {
        if (!stdin.writableEnded) stdin.end();
      },
    };
  }

  #runFsToolExec(
    sandbox: FakeSandbox,
    internals: SandboxInternals,
    exec: FakeExec,
    commandJson: string,
    finish: (code: number) => void,
  ): StdinSink {
    const chunks: Buffer[] = [];
    let resolveStdin!: (data: Buffer) => void;
    const stdinEnd = new Promise<Buffer>((resolve) => (resolveStdin = resolve));
    void runFsTool(commandJson, {
      root: sandbox.root,
      stdout: exec.stdout,
      stderr: exec.stderr,
      stdinEnd,
      signal: internals.abort.signal,
      watchPollMs: this.#settings.watchPollMs,
    }).then(finish, () => finish(1));
    return {
      write: (data) => chunks.push(data),
      end: () => resolveStdin(Buffer.concat(chunks)),
    };
  }

  #armIdle(sandbox: FakeSandbox): void {
    const internals = this.#sandboxInternals.get(sandbox.sandboxId);
    const idleSecs = sandbox.options.idleTimeoutSecs;
    if (!internals || sandbox.status !== 'running' || !idleSecs) return;
    if (sandbox.execs.some((exec) => exec.exitCode === undefined)) return;
    this.#disarmIdle(internals);
    internals.idleTimer = setTimeout(() => this.finish(sandbox, 'idle-timeout'), idleSecs * this.#settings.msPerSecond);
  }

  #disarmIdle(internals: SandboxInternals): void {
    if (internals.idleTimer) clearTimeout(internals.idleTimer);
    internals.idleTimer = undefined;
  }
}
