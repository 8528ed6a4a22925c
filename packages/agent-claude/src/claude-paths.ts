import { createHash } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A UUID derived from `seed` (the form of a name-based UUID v5), stable across processes. */
export function uuidFrom(seed: string): string {
  if (UUID.test(seed)) return seed.toLowerCase();
  const hex = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Claude's session id for one of our sessions. Claude Code lets the caller choose it
 * (`--session-id`, a UUID), so it is derived from our id: no mapping to store, the same id in
 * every sandbox, and the stored transcript's `sessionId` matches it.
 */
export function claudeSessionIdFor(sessionId: string): string {
  return uuidFrom(`agent-runtime:${sessionId}`);
}

/** Claude Code's project folder name for a cwd: every character but letters and digits becomes `-`. */
export function claudeProjectSlug(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/** Paths relative to the sandbox home (CLAUDE_CONFIG_DIR is `<home>/.claude`). */
export function claudeTranscriptPaths(workspacePath: string, claudeSessionId: string) {
  const project = `.claude/projects/${claudeProjectSlug(workspacePath)}`;
  return {
    projectsDirectory: '.claude/projects',
    project,
    main: `${project}/${claudeSessionId}.jsonl`,
    subagentsDirectory: `${project}/${claudeSessionId}/subagents`,
    subagent: (agentId: string) => `${project}/${claudeSessionId}/subagents/agent-${agentId}.jsonl`,
  };
}

/** True for workspace paths that are Claude Code configuration rather than user files. */
export function isClaudeConfigPath(path: string): boolean {
  const normalized = path.replace(/^\.\//, '');
  return (
    normalized === 'CLAUDE.md' ||
    normalized === 'CLAUDE.local.md' ||
    normalized === '.mcp.json' ||
    normalized === '.claude' ||
    normalized.startsWith('.claude/')
  );
}
