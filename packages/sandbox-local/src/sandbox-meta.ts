import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What `<dataDir>/sandboxes/<id>/meta.json` records, so that `attach` and `list` work after a restart. */
export interface SandboxMeta {
  id: string;
  sessionId: string;
  labels: Record<string, string>;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Wall-clock lifetime from `limits.timeoutMs`. */
  timeoutMs?: number;
  /** The sandbox env (never API keys: those stay in the egress proxy's memory). Mode 0600, never visible inside. */
  env: Record<string, string>;
  readOnlyPaths: string[];
  /** The sandbox's own host uid/gid, when it has one. */
  owner?: { uid: number; gid: number };
  /** Resource limits given at create (merged over the provider's defaults on open). */
  limits?: { maxProcesses?: number; memoryMiB?: number; maxFileSizeMiB?: number; workspaceMiB?: number };
}

export const META_FILE = 'meta.json';

export async function writeSandboxMeta(directory: string, meta: SandboxMeta): Promise<void> {
  await writeFile(join(directory, META_FILE), `${JSON.stringify(meta, null, 2)}\n`, { mode: 0o600 });
}

/** The meta of a sandbox directory, or `null` when it has none or it is unreadable. */
export async function readSandboxMeta(directory: string): Promise<SandboxMeta | null> {
  try {
    const value = JSON.parse(await readFile(join(directory, META_FILE), 'utf8')) as Partial<SandboxMeta>;
    if (typeof value.id !== 'string' || typeof value.sessionId !== 'string' || typeof value.createdAt !== 'number') return null;
    return {
      id: value.id,
      sessionId: value.sessionId,
      labels: value.labels ?? {},
      createdAt: value.createdAt,
      ...(typeof value.timeoutMs === 'number' ? { timeoutMs: value.timeoutMs } : {}),
      env: value.env ?? {},
      readOnlyPaths: value.readOnlyPaths ?? [],
      ...(value.owner && Number.isInteger(value.owner.uid) && Number.isInteger(value.owner.gid) ? { owner: value.owner } : {}),
      ...(value.limits ? { limits: value.limits } : {}),
    };
  } catch {
    return null;
  }
}

/** Epoch milliseconds at which the sandbox's lifetime ends, if it has one. */
export function sandboxDeadline(meta: SandboxMeta): number | undefined {
  return meta.timeoutMs === undefined ? undefined : meta.createdAt + meta.timeoutMs;
}
