import {
  AgentRuntimeError,
  hasErrorCode,
  type Logger,
  type PersistenceAdapter,
  type Sandbox,
  type WorkspaceChange,
  type WorkspaceFile,
  type WorkspaceUpload,
} from '@agent-runtime/core';
import { SerialQueue } from './serial-queue.js';
import { workspaceFileBytes, workspaceFileFromBytes } from './workspace-content.js';

export interface WorkspaceMirrorOptions {
  sessionId: string;
  persistence: PersistenceAdapter;
  logger: Logger;
  maxFileBytes: number;
  /** Paths owned by the agent's configuration, never mirrored. */
  isIgnored(path: string): boolean;
  /** Called after a change was persisted. */
  onChange(kind: 'created' | 'modified' | 'deleted', path: string, file?: WorkspaceFile): void;
}

/**
 * Keeps the session's workspace files, the sandbox and the persistence adapter in step:
 * changes in the sandbox (from the change feed or a scan) are read, persisted and announced;
 * a fresh sandbox is filled from the stored files.
 */
export class WorkspaceMirror {
  private readonly files = new Map<string, WorkspaceFile>();
  /** `size:modifiedAt` of each file as last seen in the sandbox. */
  private readonly stamps = new Map<string, string>();
  private readonly queue = new SerialQueue();

  constructor(private readonly options: WorkspaceMirrorOptions) {}

  /** Replace the known files (from storage). */
  load(files: readonly WorkspaceFile[]): void {
    this.files.clear();
    for (const file of files) this.files.set(file.path, file);
  }

  list(): WorkspaceFile[] {
    return [...this.files.values()];
  }

  get(path: string): WorkspaceFile | undefined {
    return this.files.get(path);
  }

  /** Add files the workspace starts with (a profile's defaults) and persist them. */
  async seed(files: readonly WorkspaceFile[]): Promise<void> {
    for (const file of files) {
      this.files.set(file.path, file);
      await this.options.persistence.saveWorkspaceFile(this.options.sessionId, file);
    }
  }

  /**
   * Files a client uploads: stored, announced, and written into `sandbox` when one runs (a later
   * sandbox gets them from `restoreInto`). Runs in the mirror's queue, after pending changes.
   * `alreadyStored`: another node stored them (cluster mode); they are not written again.
   */
  write(sandbox: Sandbox | undefined, uploads: readonly WorkspaceUpload[], options: { alreadyStored?: boolean } = {}): Promise<WorkspaceFile[]> {
    return this.queue.run(async () => {
      const written: WorkspaceFile[] = [];
      for (const upload of uploads) {
        const file = workspaceFileFromBytes(upload.path, upload.content);
        const previous = this.files.get(upload.path);
        if (!options.alreadyStored) await this.options.persistence.saveWorkspaceFile(this.options.sessionId, file);
        this.files.set(upload.path, file);
        if (sandbox) {
          await sandbox.writeFile(upload.path, upload.content);
          this.stamps.delete(upload.path);
        }
        if (!previous || previous.content !== file.content || previous.encoding !== file.encoding) {
          this.options.onChange(previous ? 'modified' : 'created', upload.path, file);
        }
        written.push(file);
      }
      return written;
    });
  }

  /** Write every known file into a fresh sandbox, then remember what the sandbox reports. */
  async restoreInto(sandbox: Sandbox): Promise<void> {
    this.stamps.clear();
    if (sandbox.writeFiles) {
      await sandbox.writeFiles([...this.files.values()].map((file) => ({ path: file.path, content: workspaceFileBytes(file) })));
    } else {
      for (const file of this.files.values()) {
        await sandbox.writeFile(file.path, workspaceFileBytes(file));
      }
    }
    for (const info of await sandbox.listFiles()) {
      if (this.files.has(info.path)) this.stamps.set(info.path, `${info.size}:${info.modifiedAt}`);
    }
  }

  /** A change from the sandbox's change feed. */
  handleChange(sandbox: Sandbox, change: WorkspaceChange): Promise<void> {
    if (this.options.isIgnored(change.path)) return Promise.resolve();
    return this.queue.run(() =>
      change.kind === 'deleted' ? this.remove(change.path) : this.refresh(sandbox, change.path, undefined),
    );
  }

  /** Compare the sandbox with what is known; persist every difference. Catches missed events. */
  scan(sandbox: Sandbox): Promise<void> {
    return this.queue.run(async () => {
      const present = new Set<string>();
      for (const info of await sandbox.listFiles()) {
        if (this.options.isIgnored(info.path)) continue;
        present.add(info.path);
        const stamp = `${info.size}:${info.modifiedAt}`;
        if (this.stamps.get(info.path) !== stamp || !this.files.has(info.path)) {
          await this.refresh(sandbox, info.path, stamp, info.size);
        }
      }
      for (const path of [...this.files.keys()]) {
        if (!present.has(path)) await this.remove(path);
      }
    });
  }

  /** Resolves when every queued change has been handled. */
  settled(): Promise<void> {
    return this.queue.idle();
  }

  private async refresh(sandbox: Sandbox, path: string, stamp: string | undefined, size?: number): Promise<void> {
    if (size !== undefined && size > this.options.maxFileBytes) {
      this.options.logger.warn({ sessionId: this.options.sessionId, path, size }, 'workspace file too large to mirror');
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = await sandbox.readFile(path, { maxBytes: this.options.maxFileBytes });
    } catch (error) {
      if (hasErrorCode(error, 'FILE_NOT_FOUND')) return this.remove(path);
      if (hasErrorCode(error, 'PAYLOAD_TOO_LARGE')) {
        this.options.logger.warn({ sessionId: this.options.sessionId, path }, 'workspace file too large to mirror');
        return;
      }
      if (AgentRuntimeError.isInstance(error) && error.code === 'PATH_REFUSED') {
        this.options.logger.warn({ sessionId: this.options.sessionId, path }, 'refused to mirror a path');
        return;
      }
      throw error;
    }
    if (bytes.byteLength > this.options.maxFileBytes) return;
    const file = workspaceFileFromBytes(path, bytes);
    const previous = this.files.get(path);
    if (!previous || previous.content !== file.content || previous.encoding !== file.encoding) {
      // Known only once stored: a failed save is retried by the next scan.
      await this.options.persistence.saveWorkspaceFile(this.options.sessionId, file);
      this.files.set(path, file);
      this.options.onChange(previous ? 'modified' : 'created', path, file);
    }
    if (stamp !== undefined) this.stamps.set(path, stamp);
  }

  private async remove(path: string): Promise<void> {
    this.stamps.delete(path);
    if (!this.files.has(path)) return;
    await this.options.persistence.deleteSessionFile(this.options.sessionId, path);
    this.files.delete(path);
    this.options.onChange('deleted', path);
  }
}
