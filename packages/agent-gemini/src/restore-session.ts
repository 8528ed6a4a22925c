import type { AgentTranscripts, Sandbox } from '@agent-runtime/core';
import { GEMINI_DIR, GEMINI_TMP_DIR, projectSlug, sessionFileName } from './gemini-paths.js';

/** The first header of a session file: the session uuid and when it started. */
export function sessionHeader(text: string): { sessionId?: string; startTime?: string } {
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line.startsWith('{')) continue;
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      if (typeof record['sessionId'] === 'string' && typeof record['projectHash'] === 'string') {
        return { sessionId: record['sessionId'], ...(typeof record['startTime'] === 'string' ? { startTime: record['startTime'] } : {}) };
      }
    } catch {
      // not a header line
    }
  }
  return {};
}

/**
 * Puts a stored session back where the CLI looks for it in a new sandbox, so `--resume <uuid>`
 * continues it: the file goes to `~/.gemini/tmp/<slug>/chats/`, and `~/.gemini/projects.json`
 * plus the `.project_root` marker map the sandbox's workspace path to `<slug>`. Subagent files
 * go to `chats/<uuid>/`. Returns the session's id (the file header's: an ACP session has the
 * CLI's own id, see gemini-session-id.ts).
 */
export async function restoreGeminiSession(sandbox: Sandbox, uuid: string, transcripts: AgentTranscripts): Promise<string | undefined> {
  if (!transcripts.main) return undefined;
  const slug = projectSlug(sandbox.workspacePath);
  const chats = `${GEMINI_TMP_DIR}/${slug}/chats`;
  const header = sessionHeader(transcripts.main);
  const fileUuid = header.sessionId ?? uuid;
  await sandbox.writeFile(`${GEMINI_DIR}/projects.json`, `${JSON.stringify({ projects: { [sandbox.workspacePath]: slug } }, null, 2)}\n`, { root: 'home' });
  await sandbox.writeFile(`${GEMINI_TMP_DIR}/${slug}/.project_root`, sandbox.workspacePath, { root: 'home' });
  await sandbox.writeFile(`${chats}/${sessionFileName(fileUuid, header.startTime)}`, transcripts.main, { root: 'home' });
  for (const subagent of transcripts.subagents) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(subagent.id)) continue;
    await sandbox.writeFile(`${chats}/${fileUuid}/${subagent.id}.jsonl`, subagent.rawTranscript, { root: 'home' });
  }
  return fileUuid;
}
