/**
 * The disk usage of one workspace: the allocated size (st_blocks × 512, so a sparse file counts
 * for the blocks it really uses) of every regular file the workspace watcher knows, kept up to
 * date from its reconciliations. Pure bookkeeping: no I/O and no timers.
 */
export class WorkspaceUsage {
  private readonly sizes = new Map<string, number>();
  private used = 0;

  /**
   * @param capBytes the cap (`limits.workspaceMiB`).
   * @param onExceeded called when a file grows (or appears) and the total is then above the cap.
   *   Shrinking never triggers it, so a process deleting files to get back under the cap is left alone.
   */
  constructor(
    readonly capBytes: number,
    private readonly onExceeded: (usedBytes: number, path: string) => void,
  ) {}

  /** Bytes allocated by the workspace's files, as last seen. */
  get usedBytes(): number {
    return this.used;
  }

  get exceeded(): boolean {
    return this.used > this.capBytes;
  }

  /** Would `extraBytes` more (a write by the runtime) take the workspace above its cap? */
  wouldExceed(extraBytes: number): boolean {
    return this.used + extraBytes > this.capBytes;
  }

  /** Records the allocated size of `path`, or its removal (`null`). */
  record(path: string, allocatedBytes: number | null): void {
    const previous = this.sizes.get(path) ?? 0;
    if (allocatedBytes === null) this.sizes.delete(path);
    else this.sizes.set(path, allocatedBytes);
    const next = allocatedBytes ?? 0;
    this.used += next - previous;
    if (next > previous && this.exceeded) this.onExceeded(this.used, path);
  }
}
