import {
  fileNotFoundError,
  pathRefusedError,
  sessionTerminatedError,
  type AgentArchitecture,
  type PersistenceAdapter,
  type WorkspaceFile,
  type WorkspaceUpload,
} from '@agent-runtime/core';
import type { SessionSandbox } from './session-sandbox.js';
import type { SessionState } from './session-state.js';
import { workspaceFileBytes, workspaceFileFromBytes } from './workspace-content.js';
import type { WorkspaceMirror } from './workspace-mirror.js';

export interface SessionWorkspaceFilesDependencies {
  state: SessionState;
  persistence: PersistenceAdapter;
  architecture: AgentArchitecture;
  mirror: WorkspaceMirror;
  sandbox: SessionSandbox;
  /** Load blocks and files from storage once. */
  hydrate(): Promise<void>;
}

/** A session's workspace files as clients see them: seeded, uploaded, applied from storage, read. */
export class SessionWorkspaceFiles {
  constructor(private readonly deps: SessionWorkspaceFilesDependencies) {}

  /** A new session's default files, then `extraFiles` (a git source) over them. */
  async seed(defaults: readonly WorkspaceFile[], extraFiles: readonly WorkspaceUpload[]): Promise<void> {
    const { mirror, architecture } = this.deps;
    await mirror.seed(defaults);
    const own = extraFiles.filter((upload) => !architecture.isAgentConfigPath(upload.path));
    if (own.length > 0) await mirror.seed(own.map((upload) => workspaceFileFromBytes(upload.path, upload.content)));
  }

  /** Uploaded files: stored, and written into the running sandbox if there is one. */
  async write(uploads: readonly WorkspaceUpload[]): Promise<WorkspaceFile[]> {
    this.checkUploads(uploads);
    await this.deps.hydrate();
    const written = await this.deps.mirror.write(this.deps.sandbox.current, uploads);
    this.deps.state.touch();
    return written;
  }

  /** What `write` refuses before it writes anything (cluster mode: a node that stores an upload for the owner asks too). */
  checkUploads(uploads: readonly WorkspaceUpload[]): void {
    if (this.deps.state.terminated) throw sessionTerminatedError(this.deps.state.id);
    for (const upload of uploads) {
      if (this.deps.architecture.isAgentConfigPath(upload.path)) throw pathRefusedError(upload.path, 'the agent configuration owns this path');
    }
  }

  /**
   * Cluster mode: files another node stored for this session (an upload that reached it): read
   * fresh from storage and written into the running sandbox and the mirror (not stored again).
   * Paths storage no longer has (deleted since) are skipped. Returns how many were written.
   */
  async applyStored(paths: readonly string[]): Promise<number> {
    const { state } = this.deps;
    const own = paths.filter((path) => !this.deps.architecture.isAgentConfigPath(path));
    if (state.terminated || own.length === 0) return 0;
    await this.deps.hydrate();
    const saved = await this.deps.persistence.loadSession(state.id);
    const stored = new Map((saved?.workspaceFiles ?? []).map((file) => [file.path, file]));
    const uploads = own.flatMap((path) => {
      const file = stored.get(path);
      return file ? [{ path, content: workspaceFileBytes(file) }] : [];
    });
    await this.deps.mirror.write(this.deps.sandbox.current, uploads, { alreadyStored: true });
    state.touch();
    return uploads.length;
  }

  async read(path: string): Promise<WorkspaceFile> {
    await this.deps.hydrate();
    const file = this.deps.mirror.get(path);
    if (!file) throw fileNotFoundError(path, { sessionId: this.deps.state.id });
    return file;
  }
}
