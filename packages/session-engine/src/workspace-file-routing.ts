import {
  AgentRuntimeError,
  normalizeWorkspacePath,
  pathRefusedError,
  workspacePathProblem,
  type PersistenceAdapter,
  type WorkspaceFile,
  type WorkspaceUpload,
} from '@agent-runtime/core';
import { readFileViaOwner, storeUploadsForOwner } from './owner-workspace.js';
import type { SessionCoordinator } from './session-coordinator.js';
import type { SessionRegistry } from './session-registry.js';

export interface WorkspaceFileRoutingDependencies {
  sessions: SessionRegistry;
  persistence: PersistenceAdapter;
  /** The largest file accepted (the mirror's limit). */
  maxFileBytes: number;
  coordinator?: SessionCoordinator;
}

/**
 * Workspace file reads and uploads: paths checked first, then served by the session here, or in
 * cluster mode through the node that runs it (see `owner-workspace`).
 */
export class WorkspaceFileRouting {
  constructor(private readonly deps: WorkspaceFileRoutingDependencies) {}

  async read(sessionId: string, path: string): Promise<WorkspaceFile> {
    const problem = workspacePathProblem(path);
    if (problem) throw pathRefusedError(path, problem);
    const { coordinator, sessions } = this.deps;
    if (!coordinator || coordinator.owns(sessionId)) return sessions.require(sessionId).readFile(path);
    await sessions.known(sessionId);
    return readFileViaOwner(sessionId, path, this.deps.persistence, coordinator);
  }

  async write(sessionId: string, files: readonly WorkspaceUpload[]): Promise<WorkspaceFile[]> {
    const { coordinator, sessions, maxFileBytes: maxBytes } = this.deps;
    const session = coordinator ? await sessions.known(sessionId) : sessions.require(sessionId);
    for (const file of files) {
      const problem = workspacePathProblem(file.path);
      if (problem) throw pathRefusedError(file.path, problem);
      if (file.content.byteLength > maxBytes) {
        throw new AgentRuntimeError('PAYLOAD_TOO_LARGE', `${file.path.slice(0, 200)}: larger than ${maxBytes} bytes.`, {
          details: { path: file.path.slice(0, 200), size: file.content.byteLength, maxBytes },
        });
      }
    }
    const uploads = files.map((file) => ({ path: normalizeWorkspacePath(file.path) ?? file.path, content: file.content }));
    if (!coordinator || coordinator.owns(sessionId)) return session.writeFiles(uploads);
    // Cluster mode, another node (or nobody) runs the session: stored here, applied there.
    try {
      return await storeUploadsForOwner(session, uploads, this.deps.persistence, coordinator);
    } finally {
      sessions.showOnly(sessionId); // this node's copy of the files is stale now
    }
  }
}
