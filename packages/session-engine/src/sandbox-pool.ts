import { randomUUID } from 'node:crypto';
import type { AgentArchitecture, AgentArchitectureType, Logger, Sandbox, SandboxLimits, SandboxProvider } from '@agent-runtime/core';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';

/** How many spare sandboxes to keep ready per architecture (absent or 0: none). */
export type SandboxPoolSizes = Partial<Record<AgentArchitectureType, number>>;

export interface SandboxPoolOptions {
  provider: SandboxProvider;
  architectures: readonly AgentArchitecture[];
  sizes: SandboxPoolSizes;
  /** The limits every session sandbox gets; spares get the same. */
  sandboxLimits?: SandboxLimits;
  clock: Clock;
  logger: Logger;
  /** First delay before retrying after a failed create (doubles up to `maxRetryDelayMs`). Default 1000. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/** A spare taken from the pool: its sandbox was created for the session id it carries. */
export interface PooledSandbox {
  sessionId: string;
  sandbox: Sandbox;
}

/** What the pool holds for one architecture. */
export interface SandboxPoolStats {
  architecture: AgentArchitectureType;
  target: number;
  ready: number;
  creating: number;
}

interface Lane {
  architecture: AgentArchitecture;
  target: number;
  ready: PooledSandbox[];
  creating: number;
  failures: number;
  retry: unknown;
}

/**
 * Spare sandboxes, created ahead of the sessions they will serve, so that a new session skips
 * sandbox creation. Each spare is created exactly as a session's own sandbox would be — same
 * env, read-only paths, labels and limits — for a session id chosen now, which the new session
 * then takes as its id: the sandbox is indistinguishable from a fresh one. Nothing of a profile
 * or a workspace is in a spare (the session writes those at claim), and a spare serves one
 * session only. Taking one refills the pool in the background; failed creates retry with
 * backoff; `stop()` terminates every spare. A spare found dead at take is dropped.
 */
export class SandboxPool {
  private readonly lanes = new Map<AgentArchitectureType, Lane>();
  private stopped = true;

  constructor(private readonly options: SandboxPoolOptions) {
    for (const architecture of options.architectures) {
      const target = options.sizes[architecture.type] ?? 0;
      if (target > 0) this.lanes.set(architecture.type, { architecture, target, ready: [], creating: 0, failures: 0, retry: undefined });
    }
  }

  /** True when the pool keeps spares for at least one architecture. */
  get enabled(): boolean {
    return this.lanes.size > 0;
  }

  /** Start filling (after orphan reaping, so that spares are not mistaken for orphans). */
  start(): void {
    this.stopped = false;
    for (const lane of this.lanes.values()) this.fill(lane);
  }

  /** A ready spare for `type`, or undefined when none is ready (the caller creates a sandbox as usual). */
  async take(type: AgentArchitectureType): Promise<PooledSandbox | undefined> {
    const lane = this.lanes.get(type);
    if (!lane || this.stopped) return undefined;
    try {
      for (let spare = lane.ready.shift(); spare; spare = lane.ready.shift()) {
        if (await spare.sandbox.isRunning().catch(() => false)) return spare;
        this.options.logger.warn({ sandboxId: spare.sandbox.id, architecture: type }, 'a pooled sandbox had stopped; dropped');
        await this.terminate(spare.sandbox);
      }
      return undefined;
    } finally {
      this.fill(lane);
    }
  }

  stats(): SandboxPoolStats[] {
    return [...this.lanes.values()].map((lane) => ({
      architecture: lane.architecture.type,
      target: lane.target,
      ready: lane.ready.length,
      creating: lane.creating,
    }));
  }

  /** Stop refilling and terminate every spare (runtime shutdown). Spares still being created are terminated when they arrive. */
  async stop(): Promise<void> {
    this.stopped = true;
    const spares: PooledSandbox[] = [];
    for (const lane of this.lanes.values()) {
      if (lane.retry !== undefined) this.options.clock.clearTimeout(lane.retry);
      lane.retry = undefined;
      spares.push(...lane.ready.splice(0));
    }
    await Promise.all(spares.map((spare) => this.terminate(spare.sandbox)));
  }

  private fill(lane: Lane): void {
    while (!this.stopped && lane.retry === undefined && lane.ready.length + lane.creating < lane.target) {
      lane.creating++;
      void this.createSpare(lane);
    }
  }

  private async createSpare(lane: Lane): Promise<void> {
    const { options } = this;
    const { architecture } = lane;
    const sessionId = randomUUID();
    let sandbox: Sandbox | undefined;
    try {
      // Exactly what SessionSandbox passes for a session's own sandbox.
      sandbox = await options.provider.create({
        sessionId,
        env: architecture.sandboxEnv(),
        readOnlyPaths: architecture.sandboxReadOnlyPaths(),
        labels: { 'agent-runtime-architecture': architecture.type },
        ...(options.sandboxLimits ? { limits: options.sandboxLimits } : {}),
      });
    } catch (error) {
      lane.creating--;
      lane.failures++;
      const delay = Math.min((options.retryDelayMs ?? 1000) * 2 ** (lane.failures - 1), options.maxRetryDelayMs ?? 60_000);
      options.logger.warn({ architecture: architecture.type, error: errorInfo(error), retryInMs: delay }, 'creating a pooled sandbox failed');
      if (!this.stopped && lane.retry === undefined) {
        lane.retry = options.clock.setTimeout(() => {
          lane.retry = undefined;
          this.fill(lane);
        }, delay);
      }
      return;
    }
    // What the agent can start before a profile is known (a parked CLI); the sandbox is a spare either way.
    await architecture.prepareSpare?.({ sessionId, sandbox }).catch((error: unknown) =>
      options.logger.warn({ architecture: architecture.type, sandboxId: sandbox?.id, error: errorInfo(error) }, 'preparing the agent in a pooled sandbox failed'),
    );
    lane.creating--;
    lane.failures = 0;
    if (this.stopped) {
      await this.terminate(sandbox);
      return;
    }
    lane.ready.push({ sessionId, sandbox });
    options.logger.info({ sandboxId: sandbox.id, architecture: architecture.type, ready: lane.ready.length }, 'pooled sandbox ready');
    this.fill(lane);
  }

  private async terminate(sandbox: Sandbox): Promise<void> {
    await sandbox.terminate().catch((error) => this.options.logger.warn({ sandboxId: sandbox.id, error: errorInfo(error) }, 'terminating a pooled sandbox failed'));
  }
}
