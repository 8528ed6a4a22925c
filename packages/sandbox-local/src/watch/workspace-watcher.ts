import { type FSWatcher, type BigIntStats, watch } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger, SandboxWatcher, WorkspaceChange } from '@agent-runtime/core';

/** Longest time events are held back while more keep arriving. */
const MAX_DELAY_MS = 1000;

function signature(stats: BigIntStats): string {
  return `${stats.ino}:${stats.size}:${stats.blocks}:${stats.mtimeNs}:${stats.ctimeNs}`;
}

function under(directory: string, path: string): boolean {
  return directory === '' || path === directory || path.startsWith(`${directory}/`);
}

export interface WorkspaceWatcherOptions {
  /** Told the allocated size (st_blocks × 512) of every file seen, and `null` when one is gone (disk accounting). */
  onSize?: (path: string, allocatedBytes: number | null) => void;
  /** Longest time events are held back while more keep arriving. Default 1000 ms. */
  maxDelayMs?: number;
}

/**
 * A change feed for one directory tree: one inotify watch per directory (`fs.watch`, not
 * recursive, so no watch per file and no polling), added as directories appear. Events only mark
 * paths as dirty; after a quiet period each dirty path is compared with what is on disk, so the
 * feed converges on the final state even when events are coalesced or arrive out of order.
 * Symlinks are never followed and never reported; only regular files are.
 */
export class WorkspaceWatcher implements SandboxWatcher {
  private readonly known = new Map<string, string>();
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private firstDirtyAt = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly listener: (change: WorkspaceChange) => void,
    private readonly debounceMs: number,
    private readonly logger: Logger,
    private readonly options: WorkspaceWatcherOptions = {},
  ) {}

  /** Watches the tree and records what exists now (reported as nothing). */
  async start(): Promise<void> {
    await this.reconcile('', false);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.queue;
  }

  private mark(path: string): void {
    if (this.closed) return;
    if (this.dirty.size === 0) this.firstDirtyAt = Date.now();
    this.dirty.add(path);
    clearTimeout(this.timer);
    const wait = Date.now() - this.firstDirtyAt >= (this.options.maxDelayMs ?? MAX_DELAY_MS) ? 0 : this.debounceMs;
    this.timer = setTimeout(() => {
      this.queue = this.queue.then(() => this.flush());
    }, wait);
  }

  private async flush(): Promise<void> {
    const paths = [...this.dirty].sort((a, b) => a.length - b.length);
    this.dirty.clear();
    for (const path of paths) {
      if (this.closed) return;
      try {
        await this.reconcile(path, true);
      } catch (error) {
        this.logger.warn({ path, error: String(error) }, 'sandbox-local: watch could not inspect a path');
      }
    }
  }

  private emit(change: WorkspaceChange, report: boolean): void {
    if (!report || this.closed) return;
    try {
      this.listener(change);
    } catch (error) {
      this.logger.error({ error: String(error) }, 'sandbox-local: watch listener threw');
    }
  }

  private watchDirectory(path: string): void {
    if (this.watchers.has(path) || this.closed) return;
    try {
      const watcher = watch(join(this.root, path), { persistent: false }, (_event, name) => {
        this.mark(name ? (path === '' ? name : `${path}/${name}`) : path);
      });
      watcher.on('error', () => {
        watcher.close();
        if (this.watchers.get(path) === watcher) this.watchers.delete(path);
        this.mark(path);
      });
      this.watchers.set(path, watcher);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EMFILE') {
        this.logger.warn({ path, code }, 'sandbox-local: out of inotify watches; changes below this directory are missed');
      } else if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
  }

  /** Drops (and reports deleted) the files at and below `path`, or only below it. */
  private forget(path: string, report: boolean, includeSelf = true): void {
    for (const file of [...this.known.keys()]) {
      if (under(path, file) && (includeSelf || file !== path)) {
        this.drop(file);
        this.emit({ kind: 'deleted', path: file }, report);
      }
    }
    for (const [directory, watcher] of [...this.watchers]) {
      if (directory !== '' && under(path, directory)) {
        watcher.close();
        this.watchers.delete(directory);
      }
    }
  }

  private drop(path: string): void {
    this.known.delete(path);
    this.options.onSize?.(path, null);
  }

  private recordFile(path: string, stats: BigIntStats, report: boolean): void {
    const previous = this.known.get(path);
    const current = signature(stats);
    if (previous === current) return;
    this.known.set(path, current);
    this.options.onSize?.(path, Number(stats.blocks) * 512);
    this.emit({ kind: previous === undefined ? 'created' : 'modified', path }, report);
  }

  /** Brings what is known about `path` (a file or a whole directory) in line with the disk. */
  private async reconcile(path: string, report: boolean): Promise<void> {
    const absolute = path === '' ? this.root : join(this.root, path);
    const stats = await lstat(absolute, { bigint: true }).catch(() => null);
    if (stats === null || (!stats.isFile() && !stats.isDirectory())) {
      if (path !== '') this.forget(path, report);
      return;
    }
    if (stats.isFile()) {
      this.forget(path, report, false); // it may have been a directory before
      this.recordFile(path, stats, report);
      return;
    }
    if (this.known.has(path)) {
      this.drop(path);
      this.emit({ kind: 'deleted', path }, report);
    }
    const seen = new Set<string>();
    await this.scan(path, report, seen);
    for (const file of [...this.known.keys()]) {
      if (under(path, file) && !seen.has(file)) {
        this.drop(file);
        this.emit({ kind: 'deleted', path: file }, report);
      }
    }
  }

  private async scan(directory: string, report: boolean, seen: Set<string>): Promise<void> {
    this.watchDirectory(directory);
    const entries = await readdir(directory === '' ? this.root : join(this.root, directory), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (this.closed) return;
      const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
      if (entry.isDirectory()) {
        await this.scan(path, report, seen);
      } else if (entry.isFile()) {
        const stats = await lstat(join(this.root, path), { bigint: true }).catch(() => null);
        if (stats?.isFile()) {
          seen.add(path);
          this.recordFile(path, stats, report);
        }
      }
    }
  }
}
