import { AgentRuntimeError, normalizeWorkspacePath, type AgentProfile } from '@agent-runtime/core';

/** A file the profile puts in the workspace (relative path) for Claude Code to load. */
export interface ProfileFile {
  path: string;
  content: string;
}

function frontMatter(fields: Record<string, string>, body: string): string {
  if (body.startsWith('---\n')) return body;
  const lines = Object.entries(fields).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return `---\n${lines.join('\n')}\n---\n\n${body}`;
}

/**
 * Files that carry the profile to Claude Code: CLAUDE.md, `.claude/skills/<name>/SKILL.md` (+
 * supporting files) and `.claude/commands/<name>.md`. Subagents, tools, MCP servers, the system
 * prompt and the model go through SDK options instead (see `claudeQueryOptions`).
 */
export function claudeProfileFiles(profile: AgentProfile): ProfileFile[] {
  const files: ProfileFile[] = [];
  if (profile.agentMDFile !== undefined) files.push({ path: 'CLAUDE.md', content: profile.agentMDFile });
  for (const skill of profile.skills ?? []) {
    const directory = `.claude/skills/${skill.name}`;
    files.push({ path: `${directory}/SKILL.md`, content: frontMatter({ name: skill.name, description: skill.description }, skill.skillMd) });
    for (const file of skill.supportingFiles ?? []) {
      const relative = normalizeWorkspacePath(file.relativePath);
      if (!relative || relative === 'SKILL.md') {
        throw new AgentRuntimeError('INVALID_INPUT', `Skill "${skill.name}" has an unsafe supporting file path.`, {
          details: { skill: skill.name, path: file.relativePath.slice(0, 200) },
        });
      }
      files.push({ path: `${directory}/${relative}`, content: file.content });
    }
  }
  for (const command of profile.commands ?? []) files.push({ path: `.claude/commands/${command.name}.md`, content: command.prompt });
  return files;
}
