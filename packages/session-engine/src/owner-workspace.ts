import { fileNotFoundError, type PersistenceAdapter, type WorkspaceFile, type WorkspaceUpload } from '@agent-runtime/core';
import type { AgentSession } from './agent-session.js';
import { ROUTED_FILE_MAX_BYTES, type ReadFileResult, type SessionCoordinator } from './session-coordinator.js';
import { workspaceFileFromBytes } from './workspace-content.js';

/** Paths per `filesStored` command: keeps each NATS message far below the default 1 MiB `max_payload`. */
const PATHS_PER_COMMAND = 200;

/**
 * Cluster mode, an upload that reached a node that does not run the session: the files go into
 * storage here (they may be larger than one NATS message), then the owner is told which paths
 * to read from storage into its sandbox and mirror. When no live node runs the session, storage
 * is all there is: the next sandbox restore has them.
 */
export async function storeUploadsForOwner(
  session: AgentSession,
  uploads: readonly WorkspaceUpload[],
  persistence: PersistenceAdapter,
  coordinator: SessionCoordinator,
): Promise<WorkspaceFile[]> {
  session.checkUploads(uploads);
  const files = uploads.map((upload) => workspaceFileFromBytes(upload.path, upload.content));
  for (const file of files) await persistence.saveWorkspaceFile(session.id, file);
  const paths = [...new Set(files.map((file) => file.path))];
  for (let index = 0; index < paths.length; index += PATHS_PER_COMMAND) {
    await coordinator.route({ type: 'filesStored', sessionId: session.id, paths: paths.slice(index, index + PATHS_PER_COMMAND) });
  }
  return files;
}

/** The owner's answer to a routed `readFile`: its copy when the reply stays within `ROUTED_FILE_MAX_BYTES`. */
export async function ownerFileAnswer(session: AgentSession, path: string): Promise<ReadFileResult> {
  const file = await session.readFile(path);
  return Buffer.byteLength(JSON.stringify(file)) <= ROUTED_FILE_MAX_BYTES ? { file } : {};
}

/**
 * Cluster mode, a read on a node that does not run the session: the owner's copy (it has the
 * agent's latest changes), else — too large for one reply, or nobody runs the session — storage,
 * read now (never this node's cached copy, which another node's writes have made stale).
 */
export async function readFileViaOwner(sessionId: string, path: string, persistence: PersistenceAdapter, coordinator: SessionCoordinator): Promise<WorkspaceFile> {
  const answer = (await coordinator.route({ type: 'readFile', sessionId, path })) as ReadFileResult;
  if (answer.file) return answer.file;
  const saved = await persistence.loadSession(sessionId);
  const file = saved?.workspaceFiles.find((candidate) => candidate.path === path);
  if (!file) throw fileNotFoundError(path, { sessionId });
  return file;
}
