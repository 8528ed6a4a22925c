import type { Sandbox } from '@agent-runtime/core';
import { findGeminiSessionFiles, GEMINI_TMP_DIR } from '../gemini-paths.js';

/**
 * Session-file housekeeping around `gemini --acp` 0.61.0's `session/load`.
 *
 * Root cause of "No previous sessions found for this project." (docs/acp-findings.md): before
 * it lists the sessions, `session/load` initialises a *fresh* chat for the loaded id, and that
 * chat's recorder opens `session-<current minute>-<id8>.jsonl` and appends a header plus a
 * `$set.messages` holding only the `<session_context>` message. When the stored file has that
 * very name (it was started in the same minute), the append lands in it and replaces its history
 * (a `$set.messages` replaces the history when the file is read), so the file has no resumable
 * content any more, the selector skips it and the load fails — and a later `--resume` of that
 * file would lose the history too. When the names differ, the append goes to a new stray file of
 * the same id (only the context message), and the load works and keeps writing into the stored
 * file. So: before a load, give the stored file a name of an earlier minute; after it, delete
 * the strays.
 */

const MINUTE_MS = 60_000;
const STAMP = /\/session-(\d{4}-\d{2}-\d{2}T\d{2}-\d{2})-[^/]*$/;
const MAIN_FILE = /^\.gemini\/tmp\/[^/]+\/chats\/session-[^/]*\.jsonl?$/;

/** The minute stamp the CLI puts in a session file name (`2026-12-01T11-44`). */
export function minuteStamp(time: number): string {
  return new Date(time).toISOString().slice(0, 16).replace(/:/g, '-');
}

/**
 * Renames the stored session file when its name's minute could be the one the CLI's load uses
 * (this minute or later, with a few minutes' margin for the sandbox's clock). Returns the path
 * of the file to keep, or `undefined` when the session has no file.
 */
export async function prepareSessionFileForLoad(sandbox: Sandbox, geminiSessionId: string, now = Date.now()): Promise<string | undefined> {
  const files = await findGeminiSessionFiles(sandbox, geminiSessionId);
  if (!files) return undefined;
  const stamp = STAMP.exec(files.main)?.[1];
  if (stamp !== undefined && stamp < minuteStamp(now - 5 * MINUTE_MS)) return files.main;
  const target = `${files.main.slice(0, files.main.lastIndexOf('/'))}/session-${minuteStamp(now - 10 * MINUTE_MS)}-${geminiSessionId.slice(0, 8)}.jsonl`;
  const content = await sandbox.readFile(files.main, { root: 'home' });
  await sandbox.writeFile(target, content, { root: 'home' });
  await sandbox.deleteFile(files.main, { root: 'home' });
  return target;
}

/**
 * Deletes the main session files that are not `keep`: the CLI writes one per process start (its
 * own idle chat) and one or two per `session/load` (see above). The sandbox holds one session,
 * and the newest file of an id would otherwise be taken for the session. Subagent files stay.
 */
export async function removeStraySessionFiles(sandbox: Sandbox, keep: string): Promise<void> {
  let files;
  try {
    files = await sandbox.listFiles({ root: 'home', directory: GEMINI_TMP_DIR });
  } catch {
    return;
  }
  for (const file of files) {
    if (file.path === keep || !MAIN_FILE.test(file.path)) continue;
    await sandbox.deleteFile(file.path, { root: 'home' }).catch(() => undefined);
  }
}
