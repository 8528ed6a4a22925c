import type { Logger, SandboxProcess } from '@agent-runtime/core';
import type { ContainerProcess } from 'modal';
import { closeQuietly, endWhen } from './streams.js';

export type KillSignal = 'SIGTERM' | 'SIGKILL' | 'SIGINT';

export interface ModalProcessOptions {
  /**
   * Resolves once the sandbox is known to have stopped. The SDK's `wait()` and stdio reads retry
   * forever when the sandbox's command router is gone; this ends them: `wait()` gives 137 and the
   * streams close.
   */
  died: Promise<void>;
  /** Called once the process is over (it exited, or the sandbox died). */
  onExit(): void;
  /** Whether the caller asked for a writable stdin. */
  pipeStdin: boolean;
  /** Sends `signal` to the process group (one extra exec). */
  sendSignal(signal: KillSignal): Promise<void>;
  /** Exit code to report when `wait()` fails because the sandbox stopped; otherwise rethrows. */
  onWaitError(error: unknown): Promise<number>;
  killGraceMs: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  logger: Logger;
}

/** A `SandboxProcess` over the SDK's `ContainerProcess`, with kill, timeout and abort on top. */
export class ModalProcess implements SandboxProcess {
  readonly stdin: WritableStream<Uint8Array> | null;
  readonly stdout: ReadableStream<Uint8Array>;
  readonly stderr: ReadableStream<Uint8Array>;
  private readonly exited: Promise<number>;
  private done = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    process: ContainerProcess<Uint8Array>,
    private readonly options: ModalProcessOptions,
  ) {
    this.stdout = endWhen(process.stdout, options.died);
    this.stderr = endWhen(process.stderr, options.died);
    this.stdin = options.pipeStdin ? process.stdin : null;
    if (!options.pipeStdin) void closeQuietly(process.stdin);
    const waited = process.wait().then(
      (code) => code,
      (error: unknown) => options.onWaitError(error),
    );
    const SANDBOX_GONE = 137;
    this.exited = Promise.race([waited, options.died.then(() => SANDBOX_GONE)]);
    const onAbort = () => this.kill();
    void this.exited
      .finally(() => {
        this.done = true;
        options.onExit();
        for (const timer of this.timers) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      })
      .catch(() => undefined);
    if (options.timeoutMs !== undefined) this.later(options.timeoutMs, () => this.kill());
    if (options.signal?.aborted) this.kill();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
  }

  wait(): Promise<number> {
    return this.exited;
  }

  kill(signal: KillSignal = 'SIGTERM'): void {
    if (this.done) return;
    this.options.sendSignal(signal).catch((error: unknown) => {
      if (!this.done) this.options.logger.warn({ error: String(error), signal }, 'sandbox-modal: kill failed');
    });
    if (signal !== 'SIGKILL') this.later(this.options.killGraceMs, () => this.kill('SIGKILL'));
  }

  private later(delayMs: number, action: () => void): void {
    if (this.done) return;
    const timer = setTimeout(action, delayMs);
    timer.unref();
    this.timers.push(timer);
  }
}
