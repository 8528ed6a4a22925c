import {
  hasErrorCode,
  sessionTerminatedError,
  type AgentArchitecture,
  type AgentProfile,
  type Logger,
  type PersistenceAdapter,
  type Sandbox,
  type SandboxProvider,
  type SandboxWatcher,
  type SessionStatus,
} from '@agent-runtime/core';
import type { Clock } from './clock.js';
import { errorInfo } from './error-info.js';
import { SerialQueue } from './serial-queue.js';
import type { SessionEngineSettings } from './settings.js';
import type { WorkspaceMirror } from './workspace-mirror.js';

/** Where a session's sandbox is in its life. */
export type SandboxState = 'idle' | 'building' | 'ready' | 'stopping';

/** Written into the sandbox's home once every stored file is restored (see `restoreCompleted`). */
export const RESTORE_COMPLETE_MARKER = '.agent-runtime/restore-complete';

export interface SessionSandboxOptions {
  sessionId: string;
  architectureType: string;
  provider: SandboxProvider;
  architecture: AgentArchitecture;
  persistence: PersistenceAdapter;
  mirror: WorkspaceMirror;
  settings: SessionEngineSettings;
  clock: Clock;
  logger: Logger;
  loadProfile(): Promise<AgentProfile>;
  setStatus(status: SessionStatus, reason?: StatusReason): Promise<void>;
  /** Progress from the provider while it creates the sandbox (a `session:status` with `message`). */
  reportProgress?(message: string): void;
  /** Store what the sandbox holds (transcripts, files); rejects when storing failed. */
  syncNow(sandbox: Sandbox): Promise<void>;
  /** The final sync failed every attempt; the sandbox is kept. */
  onSyncFailure(error: unknown): void;
  isTerminated(): boolean;
}

/** Longest progress message passed on to clients. */
const MAX_PROGRESS_MESSAGE_LENGTH = 500;

/** Final-sync attempts before a stop gives up and keeps the sandbox. */
const FINAL_SYNC_ATTEMPTS = 3;
const FINAL_SYNC_FIRST_DELAY_MS = 200;

/**
 * A session's sandbox: idle -> building -> ready -> stopping -> idle, one transition at a time.
 * Building restores the stored files and transcripts, then marks the restore complete. Stopping
 * stores everything first and terminates the sandbox only once that succeeded: after failed
 * attempts (with backoff) the sandbox is kept and reported, never deleted with unsynced data.
 */
/** Why a sandbox stopped, on the `session:status` event (`idle`: the idle timeout; `stopped`: a shutdown or a hand-over). */
export type StatusReason = 'idle' | 'stopped';

export class SessionSandbox {
  private stateValue: SandboxState = 'idle';
  private sandbox: Sandbox | undefined;
  private watcher: SandboxWatcher | undefined;
  /** A pooled sandbox to use for the next build instead of creating one. */
  private adopted: Sandbox | undefined;
  private readonly transitions = new SerialQueue();

  constructor(private readonly options: SessionSandboxOptions) {}

  get state(): SandboxState {
    return this.stateValue;
  }

  get current(): Sandbox | undefined {
    return this.sandbox;
  }

  /**
   * Use `sandbox` (a pooled one, created for this session's id) for the next build instead of
   * creating one; the build restores and prepares it as it would a new one.
   */
  adopt(sandbox: Sandbox): void {
    this.adopted = sandbox;
  }

  /**
   * Take `sandbox` — one a lost node left running, found by the coordinator — as the ready
   * sandbox, without restoring into it: it holds newer state than storage. `storeFrom` first
   * stores what it holds (transcripts, files) so storage is fresh before anything runs in it;
   * then it is relabelled with this node (`updateLabels`, when the sandbox has it) and its change
   * feed opened. Rejects, with the state left `idle`, when the session already has a sandbox or
   * storing failed (the caller then saves from it and terminates it as before).
   */
  reattach(sandbox: Sandbox, storeFrom: (sandbox: Sandbox) => Promise<void>): Promise<void> {
    return this.transitions.run(async () => {
      const { options } = this;
      if (this.sandbox) throw new Error('the session already has a sandbox');
      if (options.isTerminated()) throw sessionTerminatedError(options.sessionId);
      await storeFrom(sandbox);
      const labels = options.settings.sandboxLabels;
      if (labels && sandbox.updateLabels) {
        // The owner is also in the lease; a stale label only matters to orphan reaping, which checks the lease first.
        await sandbox.updateLabels(labels).catch((error) => options.logger.warn({ error: errorInfo(error) }, 'relabelling a reattached sandbox failed'));
      }
      this.watcher = await sandbox.watch?.((change) => {
        options.mirror.handleChange(sandbox, change).catch((error) =>
          options.logger.error({ error: errorInfo(error), path: change.path }, 'mirroring a workspace change failed'),
        );
      });
      this.sandbox = sandbox;
      this.stateValue = 'ready';
      options.logger.info({ sandboxId: sandbox.id, provider: sandbox.provider }, 'reattached to a running sandbox');
      await options.setStatus('active');
    });
  }

  /** The ready sandbox, building one when there is none. */
  ensure(): Promise<Sandbox> {
    return this.transitions.run(() => this.build());
  }

  /**
   * Store everything, then terminate the sandbox and set `status`. Resolves false when storing
   * failed every attempt: the sandbox is then kept (state `ready`) and the status left alone.
   */
  stop(status: SessionStatus, when: () => boolean = () => true, reason?: StatusReason): Promise<boolean> {
    return this.transitions.run(async () => {
      if (!when()) return true;
      return this.teardown(status, reason);
    });
  }

  /** Resolves once every transition queued so far has settled. */
  settled(): Promise<void> {
    return this.transitions.idle();
  }

  private async build(): Promise<Sandbox> {
    if (this.sandbox) return this.sandbox;
    const { options } = this;
    if (options.isTerminated()) throw sessionTerminatedError(options.sessionId);
    const profile = await options.loadProfile();
    this.stateValue = 'building';
    await options.setStatus('building-sandbox');
    let sandbox: Sandbox | undefined;
    try {
      sandbox = this.adopted;
      this.adopted = undefined;
      sandbox ??= await options.provider.create({
        sessionId: options.sessionId,
        env: options.architecture.sandboxEnv(),
        readOnlyPaths: options.architecture.sandboxReadOnlyPaths(),
        labels: { ...options.settings.sandboxLabels, 'agent-runtime-architecture': options.architectureType },
        ...(options.settings.sandboxLimits ? { limits: options.settings.sandboxLimits } : {}),
        onProgress: (message) => {
          // Only while this build waits for create; a provider's late call is dropped.
          if (this.stateValue !== 'building' || this.sandbox || typeof message !== 'string') return;
          try {
            options.reportProgress?.(message.slice(0, MAX_PROGRESS_MESSAGE_LENGTH));
          } catch (error) {
            options.logger.warn({ error: errorInfo(error) }, 'reporting sandbox progress failed');
          }
        },
      });
      await options.mirror.restoreInto(sandbox);
      const saved = await options.persistence.loadSession(options.sessionId);
      const subagents = (saved?.subagents ?? []).flatMap((subagent) =>
        subagent.rawTranscript === undefined ? [] : [{ id: subagent.id, rawTranscript: subagent.rawTranscript }],
      );
      const hasTranscripts = saved?.rawTranscript !== undefined || subagents.length > 0;
      await options.architecture.prepare({
        sessionId: options.sessionId,
        sandbox,
        profile,
        ...(hasTranscripts ? { transcripts: { main: saved?.rawTranscript, subagents } } : {}),
      });
      await sandbox.writeFile(RESTORE_COMPLETE_MARKER, new Date(options.clock.now()).toISOString(), { root: 'home' });
      const ready = sandbox;
      this.watcher = await ready.watch?.((change) => {
        options.mirror.handleChange(ready, change).catch((error) =>
          options.logger.error({ error: errorInfo(error), path: change.path }, 'mirroring a workspace change failed'),
        );
      });
    } catch (error) {
      // Nothing ran in it yet: everything it holds came from storage.
      await sandbox?.terminate().catch((terminateError) =>
        options.logger.warn({ error: errorInfo(terminateError) }, 'terminating a sandbox that failed to build failed'),
      );
      this.stateValue = 'idle';
      await options.setStatus('failed');
      throw error;
    }
    this.sandbox = sandbox;
    this.stateValue = 'ready';
    options.logger.info({ sandboxId: sandbox.id, provider: sandbox.provider }, 'sandbox ready');
    await options.setStatus('active');
    return sandbox;
  }

  private async teardown(status: SessionStatus, reason?: StatusReason): Promise<boolean> {
    const { options } = this;
    // A pooled sandbox never built into (nothing ran in it) goes too.
    const adopted = this.adopted;
    this.adopted = undefined;
    await adopted?.terminate().catch((error) => options.logger.warn({ error: errorInfo(error) }, 'terminating an unused pooled sandbox failed'));
    const sandbox = this.sandbox;
    if (sandbox) {
      this.stateValue = 'stopping';
      if (await sandbox.isRunning().catch(() => false)) {
        const stored = await this.finalSync(sandbox);
        if (!stored) {
          this.stateValue = 'ready';
          return false;
        }
      }
      await this.watcher?.close().catch((error) => options.logger.warn({ error: errorInfo(error) }, 'closing the change feed failed'));
      this.watcher = undefined;
      this.sandbox = undefined;
      await sandbox.terminate().catch((error) => options.logger.warn({ error: errorInfo(error) }, 'terminate failed'));
      options.logger.info({ sandboxId: sandbox.id, status }, 'sandbox stopped');
    }
    this.stateValue = 'idle';
    await options.mirror.settled();
    await options.setStatus(status, reason);
    return true;
  }

  private async finalSync(sandbox: Sandbox): Promise<boolean> {
    let delay = FINAL_SYNC_FIRST_DELAY_MS;
    let lastError: unknown;
    for (let attempt = 1; attempt <= FINAL_SYNC_ATTEMPTS; attempt++) {
      try {
        await this.options.syncNow(sandbox);
        return true;
      } catch (error) {
        if (hasErrorCode(error, 'LEASE_LOST')) {
          // Cluster mode: another node owns the session now; what this sandbox holds may not be stored over its state.
          this.options.logger.warn({ sandboxId: sandbox.id }, 'final sync refused: another node owns the session; the sandbox is stopped');
          return true;
        }
        lastError = error;
        this.options.logger.warn({ attempt, error: errorInfo(error) }, 'final sync failed');
        if (attempt < FINAL_SYNC_ATTEMPTS) {
          await new Promise<void>((resolve) => this.options.clock.setTimeout(resolve, delay));
          delay *= 2;
        }
      }
    }
    this.options.logger.error(
      { sandboxId: sandbox.id, error: errorInfo(lastError) },
      'final sync failed; the sandbox is kept so that nothing unsynced is lost',
    );
    this.options.onSyncFailure(lastError);
    return false;
  }
}

/** True when a sandbox (e.g. one left by a crash) finished its restore: only then does absence mean deletion. */
export async function restoreCompleted(sandbox: Sandbox): Promise<boolean> {
  return sandbox.readFile(RESTORE_COMPLETE_MARKER, { root: 'home' }).then(
    () => true,
    () => false,
  );
}
