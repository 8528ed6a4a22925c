import type { Logger, SandboxFileInfo, SandboxWatcher, WorkspaceChange } from '@agent-runtime/core';

export interface PollingWatcherOptions {
  /** Lists every workspace file (one short exec). */
  list(): Promise<SandboxFileInfo[]>;
  /** False once the sandbox stopped: the watcher then ends quietly. */
  alive(): boolean;
  /** True while a process started with `exec` runs (a turn's CLI): then the watcher polls every `intervalMs`. */
  busy(): boolean;
  intervalMs: number;
  /**
   * While nothing runs: after one poll right after the last process ended, the gap doubles per
   * poll that saw no change, up to this. 0 = no polls while nothing runs.
   */
  idleIntervalMs: number;
  logger: Logger;
}

/** The change feed; `activity()` tells it a process started or ended. */
export interface PollingWatcher extends SandboxWatcher {
  activity(): void;
}

type Snapshot = Map<string, string>;

function snapshot(files: SandboxFileInfo[]): Snapshot {
  return new Map(files.map((file) => [file.path, `${file.size}:${file.modifiedAt}`]));
}

/**
 * The change feed, by listing the workspace and diffing. Each listing is one short exec, and a
 * running exec is activity for Modal's idle timeout, so it polls only as often as changes are
 * likely: every `intervalMs` while a process runs, once right after the last one ended, then
 * backing off (doubling up to `idleIntervalMs`) while nothing runs, since only a process left in
 * the background can still change files then. A change seen, or a process starting, resets it.
 * No process stays in the sandbox between polls. Resolves once the first listing (the baseline)
 * is taken.
 */
export async function startPollingWatcher(listener: (change: WorkspaceChange) => void, options: PollingWatcherOptions): Promise<PollingWatcher> {
  let previous = snapshot(await options.list());
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let dueAt = 0;
  let polling = false;
  let inFlight: Promise<void> = Promise.resolve();
  /** The gap before the next poll while nothing runs. */
  let idleDelay = options.intervalMs;
  /** A process ran since the last poll: poll once more soon, whatever runs now. */
  let ranSinceLastPoll = options.busy();

  const emit = (change: WorkspaceChange) => {
    try {
      listener(change);
    } catch (error) {
      options.logger.error({ error: String(error), path: change.path }, 'sandbox-modal: watch listener threw');
    }
  };

  const poll = async () => {
    ranSinceLastPoll = options.busy();
    let current: Snapshot;
    try {
      current = snapshot(await options.list());
    } catch (error) {
      if (options.alive()) options.logger.warn({ error: String(error) }, 'sandbox-modal: watch poll failed');
      return;
    }
    if (closed) return;
    let changed = false;
    for (const [path, stamp] of current) {
      const before = previous.get(path);
      if (before === undefined) emit({ kind: 'created', path });
      else if (before !== stamp) emit({ kind: 'modified', path });
      else continue;
      changed = true;
    }
    for (const path of previous.keys()) {
      if (current.has(path)) continue;
      emit({ kind: 'deleted', path });
      changed = true;
    }
    previous = current;
    idleDelay = changed ? options.intervalMs : Math.min(idleDelay * 2, Math.max(options.idleIntervalMs, options.intervalMs));
  };

  const nextDelay = (): number | undefined => {
    if (options.busy() || ranSinceLastPoll) return options.intervalMs;
    if (options.idleIntervalMs === 0) return undefined;
    return idleDelay;
  };

  const schedule = () => {
    if (closed || polling) return;
    clearTimeout(timer);
    timer = undefined;
    const delay = nextDelay();
    if (delay === undefined) return;
    dueAt = Date.now() + delay;
    timer = setTimeout(() => {
      timer = undefined;
      if (closed || !options.alive()) return;
      polling = true;
      inFlight = poll().finally(() => {
        polling = false;
        schedule();
      });
    }, delay);
    timer.unref();
  };
  schedule();

  return {
    activity() {
      if (closed) return;
      ranSinceLastPoll = true;
      idleDelay = options.intervalMs;
      // A poll in flight schedules the next one when it ends; a poll due soon enough stays put.
      if (timer !== undefined && dueAt <= Date.now() + options.intervalMs) return;
      schedule();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await inFlight.catch(() => undefined);
    },
  };
}
