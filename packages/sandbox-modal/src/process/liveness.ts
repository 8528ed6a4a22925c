import type { Logger } from '@agent-runtime/core';

export interface LivenessSettings {
  /** True once the sandbox has stopped (a control-plane poll, not an exec). */
  hasStopped(): Promise<boolean>;
  /** Refreshes the heartbeat file the exec wrappers watch (one short exec). */
  beat(): Promise<void>;
  stateCheckIntervalMs: number;
  /** 0 = no heartbeat. */
  heartbeatIntervalMs: number;
  logger: Logger;
}

/**
 * Watches a sandbox while anything runs in it. The SDK's exec `wait()` and stdio reads retry
 * transient errors forever, so when a sandbox dies (its command router gone) they never return:
 * `died` resolves as soon as a poll of the sandbox's own state says it stopped, and callers race it.
 * It also beats the heartbeat that keeps the exec wrappers from treating their process as orphaned.
 * Nothing is scheduled while nothing runs, so an idle sandbox stays idle.
 */
export class SandboxLiveness {
  readonly died: Promise<void>;
  private resolveDied!: () => void;
  private active = 0;
  private stateTimer: NodeJS.Timeout | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  private dead = false;
  /** Bumped whenever the loops stop, so a poll in flight from an older round does not reschedule. */
  private generation = 0;

  constructor(private readonly settings: LivenessSettings) {
    this.died = new Promise((resolve) => (this.resolveDied = resolve));
  }

  /** The sandbox is known to have stopped (terminate(), or a poll said so). */
  markDead(): void {
    if (this.dead) return;
    this.dead = true;
    this.stop();
    this.resolveDied();
  }

  /** Counts one running thing until the returned function is called. */
  hold(): () => void {
    this.active += 1;
    if (this.active === 1 && !this.dead) this.schedule();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      if (this.active === 0) this.stop();
    };
  }

  /** `promise`, or `onDeath()` once the sandbox is known dead, whichever comes first. */
  async race<T>(promise: Promise<T>, onDeath: () => T | Promise<T>): Promise<T> {
    const release = this.hold();
    try {
      return await Promise.race([promise, this.died.then(onDeath)]);
    } finally {
      release();
    }
  }

  private schedule(): void {
    this.stateTimer = setTimeout(() => void this.checkState(), this.settings.stateCheckIntervalMs);
    this.stateTimer.unref();
    if (this.settings.heartbeatIntervalMs > 0) {
      this.beatTimer = setTimeout(() => void this.beat(), this.settings.heartbeatIntervalMs);
      this.beatTimer.unref();
    }
  }

  private async checkState(): Promise<void> {
    const generation = this.generation;
    try {
      if (await this.settings.hasStopped()) return this.markDead();
    } catch (error) {
      this.settings.logger.warn({ error: String(error) }, 'sandbox-modal: could not poll the sandbox state');
    }
    if (this.active > 0 && !this.dead && generation === this.generation) {
      this.stateTimer = setTimeout(() => void this.checkState(), this.settings.stateCheckIntervalMs);
      this.stateTimer.unref();
    }
  }

  private async beat(): Promise<void> {
    const generation = this.generation;
    try {
      await this.settings.beat();
    } catch (error) {
      if (!this.dead) this.settings.logger.warn({ error: String(error) }, 'sandbox-modal: heartbeat failed');
    }
    if (this.active > 0 && !this.dead && generation === this.generation) {
      this.beatTimer = setTimeout(() => void this.beat(), this.settings.heartbeatIntervalMs);
      this.beatTimer.unref();
    }
  }

  private stop(): void {
    this.generation += 1;
    clearTimeout(this.stateTimer);
    clearTimeout(this.beatTimer);
    this.stateTimer = undefined;
    this.beatTimer = undefined;
  }
}
