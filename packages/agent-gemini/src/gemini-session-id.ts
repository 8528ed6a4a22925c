import type { Sandbox } from '@agent-runtime/core';
import { GEMINI_DIR, geminiSessionUuid } from './gemini-paths.js';

/** Where the Gemini session id of a sandbox's session is kept, relative to the sandbox home. */
export const GEMINI_SESSION_MARKER = `${GEMINI_DIR}/agent-runtime-session-id`;

const MAX_REMEMBERED = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The Gemini CLI session id of each sandbox's session. A stream-json session has our name-based
 * uuid (`--session-id`); an ACP session has the id the CLI chose at `session/new` (ACP takes no
 * client id), kept in {@link GEMINI_SESSION_MARKER} and, after a restore, taken from the stored
 * file's header. One sandbox holds one session.
 */
export class GeminiSessionIds {
  /** By sandbox id (not by object: callers may wrap a sandbox), oldest first; bounded. */
  private readonly known = new Map<string, string>();

  private remember(sandbox: Sandbox, id: string): void {
    this.known.delete(sandbox.id);
    this.known.set(sandbox.id, id);
    if (this.known.size > MAX_REMEMBERED) this.known.delete(this.known.keys().next().value!);
  }

  async resolve(sandbox: Sandbox, sessionId: string): Promise<string> {
    const cached = this.known.get(sandbox.id);
    if (cached) return cached;
    let id = geminiSessionUuid(sessionId);
    try {
      const text = new TextDecoder().decode(await sandbox.readFile(GEMINI_SESSION_MARKER, { root: 'home' })).trim();
      if (UUID.test(text)) id = text;
    } catch {
      // no marker: a stream-json session (or none yet)
    }
    this.remember(sandbox, id);
    return id;
  }

  /** Remembers the session id of the sandbox (in memory and in the marker file). */
  async record(sandbox: Sandbox, geminiSessionId: string): Promise<void> {
    if (!UUID.test(geminiSessionId)) return;
    await sandbox.writeFile(GEMINI_SESSION_MARKER, geminiSessionId, { root: 'home' });
    this.remember(sandbox, geminiSessionId);
  }
}
