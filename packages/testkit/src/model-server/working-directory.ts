/**
 * The agent's working directory as its request tells it (Claude Code: "Primary working
 * directory: /path"; Gemini CLI: the `<session_context>` workspace line), so scripted tool
 * inputs can say `{{cwd}}` where the real path is only known at run time.
 */
const patterns = [
  /Primary working directory: ([^\n\\"]+)/,
  /Working directory: ([^\n\\"]+)/,
  /working in the (?:following )?directory:?\s*(?:\\n)?\s*(\/[^\n\\"]+)/i,
];

export function findWorkingDirectory(body: unknown): string | undefined {
  // The system prompt names the current directory; the history may name earlier ones (a resumed
  // session in a new sandbox), so it is searched first, and the history from its end.
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  for (const part of [record.system, record.systemInstruction, body]) {
    if (part === undefined) continue;
    const text = JSON.stringify(part);
    for (const pattern of patterns) {
      const matches = [...text.matchAll(new RegExp(pattern.source, `${pattern.flags}g`))];
      const last = matches.at(-1)?.[1];
      if (last) return last.trim();
    }
  }
  return undefined;
}

/** Replaces `{{cwd}}` in every string of a tool input. */
export function substituteWorkingDirectory<T>(value: T, cwd: string | undefined): T {
  if (cwd === undefined) return value;
  if (typeof value === 'string') return value.replaceAll('{{cwd}}', cwd) as T;
  if (Array.isArray(value)) return value.map((item) => substituteWorkingDirectory(item, cwd)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substituteWorkingDirectory(item, cwd)])) as T;
  }
  return value;
}
