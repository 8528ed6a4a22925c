import { AgentRuntimeError, normalizeWorkspacePath, type AgentProfile, type McpServerConfig, type SubagentDefinition } from '@agent-runtime/core';
import { GEMINI_DIR } from './gemini-paths.js';

/**
 * With a profile `toolPolicy`, every tool call must reach the runtime's policy before it runs. In
 * ACP mode `default` the CLI only asks for tools it thinks risky (edits, most shell commands);
 * this user-level CLI policy makes it ask (`session/request_permission`) for every tool, in that
 * mode only. The CLI (0.61.0, `PolicyEngine.applyShellHeuristics`) turns an `ask_user` into `allow`
 * for shell commands it deems safe (`echo`, `ls`, ...) unless the matching rule has an
 * `argsPattern` or a `commandPrefix`; the shell rule's `argsPattern` keeps those asked too.
 */
export const ASK_POLICY_PATH = `${GEMINI_DIR}/policies/agent-runtime-ask.toml`;
const ASK_POLICY = `# Written by agent-runtime for a profile with a toolPolicy: ask before every tool.
# An argsPattern stops the CLI's shell heuristics from allowing "safe" commands (echo, ls) unasked.
[[rule]]
toolName = "run_shell_command"
argsPattern = "[\\\\s\\\\S]*"
decision = "ask_user"
priority = 999
modes = ["default"]

[[rule]]
toolName = "*"
decision = "ask_user"
priority = 998
modes = ["default"]
`;

/** A file `prepare` writes: relative to the sandbox home or workspace. */
export interface ProfileFile {
  root: 'home' | 'workspace';
  path: string;
  content: string;
}

/**
 * settings.json for headless, offline-capable runs: API-key auth (otherwise the CLI exits 41),
 * no telemetry, one attempt per request (errors surface at once), plus the profile's tool
 * allowlist (`tools.core`) and MCP servers.
 */
export function geminiSettings(profile: AgentProfile, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    security: { auth: { selectedType: 'gemini-api-key' } },
    telemetry: { enabled: false },
    privacy: { usageStatisticsEnabled: false },
    // The CLI's own session cleanup (on by default, 30 days) runs at every start and deletes
    // sessions it does not think current — for an ACP process, which starts with its own id,
    // that can be the stored session; the runtime keeps sessions, so the CLI must not.
    general: { maxAttempts: 1, sessionRetention: { enabled: false } },
  };
  if (profile.tools) settings['tools'] = { core: [...profile.tools] };
  if (profile.mcpServers && Object.keys(profile.mcpServers).length > 0) {
    settings['mcpServers'] = Object.fromEntries(
      Object.entries(profile.mcpServers).map(([name, server]) => [name, geminiMcpServer(server)]),
    );
  }
  return { ...settings, ...extra };
}

/** Our MCP config in the CLI's shape: stdio `command`, SSE `url`, streamable HTTP `httpUrl`. */
function geminiMcpServer(server: McpServerConfig): Record<string, unknown> {
  if ('command' in server) {
    return { command: server.command, ...(server.args ? { args: server.args } : {}), ...(server.env ? { env: server.env } : {}) };
  }
  const key = server.type === 'sse' ? 'url' : 'httpUrl';
  return { [key]: server.url, ...(server.headers ? { headers: server.headers } : {}) };
}

/**
 * Every file the profile puts in a fresh sandbox:
 * - `~/.gemini/settings.json` (see {@link geminiSettings});
 * - `systemPrompt` -> `~/.gemini/GEMINI.md`, the user-level context file the CLI appends to its
 *   own system prompt (GEMINI_SYSTEM_MD would replace the CLI's prompt instead);
 * - `agentMDFile` -> `GEMINI.md` at the workspace root;
 * - skills -> `~/.gemini/skills/<name>/SKILL.md` (+ supporting files);
 * - commands -> `~/.gemini/commands/<name>.toml` (run as `/name`);
 * - subagents -> `~/.gemini/agents/<name>.md`, the CLI's user-level local agent definitions
 *   (see {@link geminiSubagentFiles}).
 */
export function geminiProfileFiles(profile: AgentProfile, settingsExtra?: Record<string, unknown>): ProfileFile[] {
  const files: ProfileFile[] = [
    { root: 'home', path: `${GEMINI_DIR}/settings.json`, content: `${JSON.stringify(geminiSettings(profile, settingsExtra), null, 2)}\n` },
  ];
  if (profile.systemPrompt) files.push({ root: 'home', path: `${GEMINI_DIR}/GEMINI.md`, content: profile.systemPrompt });
  if (profile.agentMDFile) files.push({ root: 'workspace', path: 'GEMINI.md', content: profile.agentMDFile });
  for (const skill of profile.skills ?? []) {
    const dir = `${GEMINI_DIR}/skills/${safeName(skill.name)}`;
    files.push({ root: 'home', path: `${dir}/SKILL.md`, content: skillMarkdown(skill.name, skill.description, skill.skillMd) });
    for (const file of skill.supportingFiles ?? []) {
      const relative = normalizeWorkspacePath(file.relativePath);
      if (!relative) throw new AgentRuntimeError('PATH_REFUSED', `Skill "${skill.name}" has an unsafe file path.`, { details: { path: file.relativePath } });
      files.push({ root: 'home', path: `${dir}/${relative}`, content: file.content });
    }
  }
  for (const command of profile.commands ?? []) {
    files.push({ root: 'home', path: `${GEMINI_DIR}/commands/${safeName(command.name)}.toml`, content: `prompt = ${tomlString(command.prompt)}\n` });
  }
  files.push(...geminiSubagentFiles(profile.subagents ?? []));
  if (profile.toolPolicy) files.push({ root: 'home', path: ASK_POLICY_PATH, content: ASK_POLICY });
  return files;
}

/**
 * The name the CLI knows a subagent by: lower-cased, `.` -> `-`. (The CLI requires `[a-z0-9-_]+`;
 * our names also allow capitals and `.`.)
 */
export function geminiSubagentName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}

/**
 * Subagents as Gemini CLI local agent definitions, `~/.gemini/agents/<name>.md` (user agents load
 * without the acknowledgement project agents need): YAML front matter `name`, `description`,
 * `model` (omitted: the CLI's `inherit`), `tools` (omitted: the CLI's default set), and the
 * prompt as the body, which the CLI uses as the subagent's system prompt. The main agent sees
 * each name and description in its system prompt ("Available Sub-Agents") and delegates with the
 * `invoke_agent` tool (so a profile `tools` allowlist must include `invoke_agent`).
 */
export function geminiSubagentFiles(subagents: readonly SubagentDefinition[]): ProfileFile[] {
  const seen = new Map<string, string>();
  return subagents.map((subagent) => {
    safeName(subagent.name);
    const name = geminiSubagentName(subagent.name);
    const other = seen.get(name);
    if (other !== undefined) {
      throw new AgentRuntimeError('INVALID_INPUT', `Subagents "${other}" and "${subagent.name}" have the same Gemini CLI name "${name}".`, {
        details: { name },
      });
    }
    seen.set(name, subagent.name);
    // The CLI rejects an empty description (the whole agent would fail to load).
    const lines = ['---', `name: ${JSON.stringify(name)}`, `description: ${JSON.stringify(subagent.description.trim() || subagent.name)}`];
    if (subagent.model) lines.push(`model: ${JSON.stringify(subagent.model)}`);
    if (subagent.tools) lines.push(`tools: ${JSON.stringify(subagent.tools)}`);
    lines.push('---', '', subagent.prompt, '');
    return { root: 'home' as const, path: `${GEMINI_DIR}/agents/${name}.md`, content: lines.join('\n') };
  });
}

function skillMarkdown(name: string, description: string, body: string): string {
  if (body.trimStart().startsWith('---')) return body;
  return `---\nname: ${JSON.stringify(name)}\ndescription: ${JSON.stringify(description)}\n---\n\n${body}`;
}

/** A TOML basic string (JSON escapes are valid TOML escapes). */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

function safeName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new AgentRuntimeError('INVALID_INPUT', `"${name}" is not a valid skill, command or subagent name.`, { details: { name } });
  }
  return name;
}
