import { createHash } from 'node:crypto';
import type { AgentTranscriptFile, Sandbox } from '@agent-runtime/core';

/** Where the Gemini CLI keeps its state, relative to the sandbox home (`GEMINI_CLI_HOME`). */
export const GEMINI_DIR = '.gemini';
export const GEMINI_TMP_DIR = `${GEMINI_DIR}/tmp`;

/**
 * The Gemini session uuid for one of our sessions: a name-based uuid (v8 layout, SHA-256 of a
 * namespace and our id), so every sandbox of the session finds the same Gemini session.
 */
export function geminiSessionUuid(sessionId: string): string {
  const hex = createHash('sha256').update(`agent-runtime/gemini-cli/${sessionId}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The CLI's project slug for a workspace path: its basename, lower-cased, `[a-z0-9-]` only. */
export function projectSlug(workspacePath: string): string {
  const base = workspacePath.split('/').filter(Boolean).pop() ?? '';
  const slug = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug || 'workspace';
}

/** Session file name the CLI would give a session started at `startTime`. */
export function sessionFileName(uuid: string, startTime: string | undefined): string {
  const time = Number.isNaN(Date.parse(startTime ?? '')) ? new Date().toISOString() : new Date(startTime!).toISOString();
  return `session-${time.slice(0, 16).replace(/:/g, '-')}-${uuid.slice(0, 8)}.jsonl`;
}

/** Location of a session's files in the sandbox home. */
export interface GeminiSessionFiles {
  /** The main session file, relative to the home root. */
  main: string;
  /** Subagent session files (`chats/<uuid>/<agentId>.jsonl`), relative to the home root. */
  subagents: { id: string; path: string }[];
}

const MAIN_FILE = /^\.gemini\/tmp\/[^/]+\/chats\/session-[^/]*-([0-9a-zA-Z_-]{1,8})\.jsonl?$/;

/** Finds the session file of `uuid` in the sandbox home, or `undefined` when the CLI has none yet. */
export async function findGeminiSessionFiles(sandbox: Sandbox, uuid: string): Promise<GeminiSessionFiles | undefined> {
  let files;
  try {
    files = await sandbox.listFiles({ root: 'home', directory: GEMINI_TMP_DIR });
  } catch {
    return undefined;
  }
  const shortId = uuid.slice(0, 8);
  const mains = files
    .filter((file) => MAIN_FILE.exec(file.path)?.[1] === shortId)
    .sort((a, b) => b.modifiedAt - a.modifiedAt || (a.path.endsWith('.jsonl') ? -1 : 1));
  const main = mains[0];
  if (!main) return undefined;
  const chats = main.path.slice(0, main.path.lastIndexOf('/'));
  const subagents = files
    .filter((file) => file.path.startsWith(`${chats}/${uuid}/`) && file.path.endsWith('.jsonl'))
    .map((file) => ({ id: file.path.slice(chats.length + uuid.length + 2, -'.jsonl'.length), path: file.path }));
  return { main: main.path, subagents };
}

/** The session's files as transcript files for the engine's incremental sync (main first, then subagents). */
export function geminiTranscriptFiles(files: GeminiSessionFiles | undefined): AgentTranscriptFile[] {
  if (!files) return [];
  return [
    { path: files.main, root: 'home' },
    ...files.subagents.map((subagent): AgentTranscriptFile => ({ subagentId: subagent.id, path: subagent.path, root: 'home' })),
  ];
}

/** True for workspace paths that configure the Gemini CLI (`GEMINI.md` files, `.gemini/`, `.geminiignore`). */
export function isGeminiConfigPath(path: string): boolean {
  const segments = path.replace(/\\/g, '/').split('/').filter((segment) => segment !== '' && segment !== '.');
  const last = segments[segments.length - 1];
  return segments.includes('.gemini') || last === 'GEMINI.md' || last === '.geminiignore';
}
