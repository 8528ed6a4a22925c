import type { Logger } from '@agent-runtime/core';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';

export interface SyncSchedulerOptions {
  clock: Clock;
  logger: Logger;
  /** Full sync (transcripts + files) at least this often while running. */
  intervalMs: number;
  /** Delay between the agent reporting a transcript change and the transcript sync. */
  transcriptDelayMs: number;
  syncAll(): Promise<void>;
  syncTranscripts(): Promise<void>;
}

/**
 * When to sync while a turn runs: every `intervalMs`, and `transcriptDelayMs` after the agent
 * reported a transcript change (changes inside that delay share one sync). Failures are logged;
 * the next tick tries again.
 */
export class SyncScheduler {
  private periodic: unknown;
  private transcript: unknown;
  private running = false;

  constructor(private readonly options: SyncSchedulerOptions) {}

  start(): void {
    this.stop();
    this.running = true;
    this.schedulePeriodic();
  }

  stop(): void {
    this.running = false;
    if (this.periodic !== undefined) this.options.clock.clearTimeout(this.periodic);
    if (this.transcript !== undefined) this.options.clock.clearTimeout(this.transcript);
    this.periodic = undefined;
    this.transcript = undefined;
  }

  transcriptChanged(): void {
    if (!this.running || this.transcript !== undefined) return;
    this.transcript = this.options.clock.setTimeout(() => {
      this.transcript = undefined;
      this.options.syncTranscripts().catch((error) => this.options.logger.warn({ error: errorInfo(error) }, 'transcript sync failed'));
    }, this.options.transcriptDelayMs);
  }

  private schedulePeriodic(): void {
    this.periodic = this.options.clock.setTimeout(() => {
      this.options
        .syncAll()
        .catch((error) => this.options.logger.warn({ error: errorInfo(error) }, 'periodic sync failed'))
        .finally(() => {
          if (this.running) this.schedulePeriodic();
        });
    }, this.options.intervalMs);
  }
}
