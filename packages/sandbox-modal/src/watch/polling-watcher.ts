import type { Logger, SandboxFileInfo, SandboxWatcher, WorkspaceChange } from '@agent-runtime/core';

export interface PollingWatcherOptions {
  /** Lists every workspace file (one short exec). */
  list(): Promise<SandboxFileInfo[]>;
  /** False once the sandbox stopped: the watcher then ends quietly. */
  alive(): boolean;
  intervalMs: number;
  logger: Logger;
}

type Snapshot = Map<string, string>;

function snapshot(files: SandboxFileInfo[]): Snapshot {
  return new Map(files.map((file) => [file.path, `${file.size}:${file.modifiedAt}`]));
}

/**
 * The change feed, by listing the workspace every `intervalMs` while open and diffing. No process
 * stays in the sandbox between polls, so a sandbox whose runtime went away still goes idle.
 * Resolves once the first listing (the baseline) is taken.
 */
export async function startPollingWatcher(listener: (change: WorkspaceChange) => void, options: PollingWatcherOptions): Promise<SandboxWatcher> {
  let previous = snapshot(await options.list());
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const emit = (change: WorkspaceChange) => {
    try {
      listener(change);
    } catch (error) {
      options.logger.error({ error: String(error), path: change.path }, 'sandbox-modal: watch listener threw');
    }
  };

  const poll = async () => {
    let current: Snapshot;
    try {
      current = snapshot(await options.list());
    } catch (error) {
      if (options.alive()) options.logger.warn({ error: String(error) }, 'sandbox-modal: watch poll failed');
      return;
    }
    if (closed) return;
    for (const [path, stamp] of current) {
      const before = previous.get(path);
      if (before === undefined) emit({ kind: 'created', path });
      else if (before !== stamp) emit({ kind: 'modified', path });
    }
    for (const path of previous.keys()) if (!current.has(path)) emit({ kind: 'deleted', path });
    previous = current;
  };

  const schedule = () => {
    if (closed) return;
    timer = setTimeout(() => {
      if (closed || !options.alive()) return;
      inFlight = poll().finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };
  schedule();

  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await inFlight.catch(() => undefined);
    },
  };
}
