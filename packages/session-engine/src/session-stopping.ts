import type { Logger } from '@agent-runtime/core';
import type { SessionApprovals } from './approvals/session-approvals.js';
import { errorInfo } from './error-info.js';
import type { SessionEventBus } from './event-bus.js';
import type { IdleTimer } from './idle-timer.js';
import type { SessionSandbox } from './session-sandbox.js';
import type { SessionState } from './session-state.js';
import type { TurnQueue } from './turn-queue.js';

export interface SessionStoppingDependencies {
  state: SessionState;
  idle: IdleTimer;
  approvals: SessionApprovals;
  turns: TurnQueue;
  sandbox: SessionSandbox;
  bus: SessionEventBus;
  logger: Logger;
  idleTimeoutMs: number;
}

/**
 * How a session stops: for good (terminate), at a runtime shutdown, at a cluster hand-over
 * (drain), and its sandbox after an idle period.
 */
export class SessionStopping {
  constructor(private readonly deps: SessionStoppingDependencies) {}

  /** Terminate for good: stop the turn, drop the queue, persist, stop the sandbox, status completed. */
  async terminate(): Promise<void> {
    const { state, sandbox } = this.deps;
    if (state.terminated && !sandbox.current) return;
    state.terminated = true;
    this.deps.idle.cancel();
    await this.deps.approvals.terminate().catch((error) => this.deps.logger.error({ error: errorInfo(error) }, 'answering pending requests at terminate failed'));
    await this.deps.turns.clear();
    await sandbox.stop('completed');
    await this.deps.bus.forget(state.id);
  }

  /** Runtime shutdown: interrupt and persist the running turn, stop the sandbox; queued messages stay stored. */
  async shutdown(): Promise<void> {
    this.deps.idle.cancel();
    this.deps.approvals.detach();
    await this.deps.turns.stop();
    await this.deps.sandbox.stop(this.deps.state.terminated ? 'completed' : 'inactive', undefined, 'stopped');
    await this.deps.bus.flushed(this.deps.state.id);
  }

  /**
   * Graceful hand-over (cluster drain): let the running turn finish within `graceMs`, run nothing
   * more (queued messages stay stored for the next owner), persist, stop the sandbox.
   */
  async drain(graceMs: number): Promise<void> {
    const { approvals, turns } = this.deps;
    this.deps.idle.cancel();
    // A turn waiting for a person is handed over at once, as at a shutdown: its request stays
    // pending and the next owner presents it again. Waiting out the grace would only deny it.
    approvals.whenWaiting(() => {
      approvals.detach();
      turns.interrupt();
    });
    await turns.finishRunning(graceMs);
    // Requests still pending stay so for the next owner, which arms their timeouts: none fires here.
    approvals.detach();
    await this.deps.sandbox.stop(this.deps.state.terminated ? 'completed' : 'inactive', undefined, 'stopped');
    await this.deps.bus.flushed(this.deps.state.id);
  }

  /** Count the idle period from now (nothing to stop without a sandbox, or once terminated). */
  armIdle(): void {
    if (!this.deps.sandbox.current || this.deps.state.terminated) return;
    this.deps.idle.arm();
  }

  stopWhenIdle(): void {
    const { turns } = this.deps;
    if (turns.busy) return;
    this.deps.logger.info({ idleTimeoutMs: this.deps.idleTimeoutMs }, 'idle timeout: stopping the sandbox');
    this.deps.sandbox
      .stop('inactive', () => !turns.busy, 'idle')
      .then((stopped) => {
        // Storing failed: the sandbox is kept; try again after another idle period.
        if (!stopped) this.armIdle();
      })
      .catch((error) => this.deps.logger.error({ error: errorInfo(error) }, 'idle stop failed'));
  }
}
