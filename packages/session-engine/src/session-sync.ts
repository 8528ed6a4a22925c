import type { Logger, Sandbox } from '@agent-runtime/core';
import type { Clock } from './clock.js';
import type { SessionSandbox } from './session-sandbox.js';
import type { SessionEngineSettings } from './settings.js';
import { SyncScheduler } from './sync-scheduler.js';
import type { TranscriptSync } from './transcript-sync.js';
import type { WorkspaceMirror } from './workspace-mirror.js';

export interface SessionSyncDependencies {
  sandbox: SessionSandbox;
  transcripts: TranscriptSync;
  mirror: WorkspaceMirror;
  settings: SessionEngineSettings;
  clock: Clock;
  logger: Logger;
}

/** What a session stores from its sandbox, and when: while a turn runs (scheduled) and on demand. */
export class SessionSync {
  private readonly scheduler: SyncScheduler;

  constructor(private readonly deps: SessionSyncDependencies) {
    const { settings, sandbox, transcripts } = deps;
    this.scheduler = new SyncScheduler({
      clock: deps.clock,
      logger: deps.logger,
      intervalMs: settings.syncIntervalMs,
      transcriptDelayMs: settings.transcriptSyncDelayMs ?? 250,
      syncAll: async () => {
        const current = sandbox.current;
        if (current) await this.now(current);
      },
      syncTranscripts: async () => {
        const current = sandbox.current;
        if (current) await transcripts.syncChanges(current);
      },
    });
  }

  /** A turn started: sync periodically until it ends. */
  start(): void {
    this.scheduler.start();
  }

  stop(): void {
    this.scheduler.stop();
  }

  /** The agent reported a transcript change: sync the transcripts shortly. */
  transcriptChanged(): void {
    this.scheduler.transcriptChanged();
  }

  /** Store the sandbox's changed transcripts and files now. */
  async now(sandbox: Sandbox): Promise<void> {
    await this.deps.transcripts.syncChanges(sandbox);
    await this.deps.mirror.scan(sandbox);
  }
}
