import type { Clock } from './clock.js';

export interface IdleTimerOptions {
  clock: Clock;
  idleTimeoutMs: number;
  /** Warn this long before the idle stop (0: never). */
  warnBeforeMs: number;
  /** `idleAt` is the epoch ms of the coming stop. */
  onWarning(idleAt: number): void;
  onIdle(): void;
}

/** Fires `onIdle` after `idleTimeoutMs` without activity, with a warning before it. */
export class IdleTimer {
  private timers: unknown[] = [];

  constructor(private readonly options: IdleTimerOptions) {}

  /** (Re)start counting from now. */
  arm(): void {
    this.cancel();
    const { clock, idleTimeoutMs, warnBeforeMs } = this.options;
    const idleAt = clock.now() + idleTimeoutMs;
    if (warnBeforeMs > 0 && warnBeforeMs < idleTimeoutMs) {
      this.timers.push(clock.setTimeout(() => this.options.onWarning(idleAt), idleTimeoutMs - warnBeforeMs));
    }
    this.timers.push(
      clock.setTimeout(() => {
        this.timers = [];
        this.options.onIdle();
      }, idleTimeoutMs),
    );
  }

  cancel(): void {
    for (const timer of this.timers) this.options.clock.clearTimeout(timer);
    this.timers = [];
  }
}
