import { z } from 'zod';
import { toolPolicySchema } from '../approvals/tool-policy.js';
import { workspaceFileSchema, workspacePathSchema } from '../sessions/workspace-file.js';
import { profileNetworkSchema } from './profile-network.js';

/** A file shipped with a skill, written beside its SKILL.md. */
export const skillSupportingFileSchema = z.object({
  relativePath: workspacePathSchema,
  content: z.string(),
});

/** A skill the agent can load on demand (Claude Code / Gemini CLI skills). */
export const agentSkillSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'skill names use letters, digits, ".", "_" and "-"'),
  description: z.string(),
  /** The body of SKILL.md (front matter is added from `name` and `description` when missing). */
  skillMd: z.string(),
  supportingFiles: z.array(skillSupportingFileSchema).default([]),
});

/** A subagent the main agent may delegate to. */
export const subagentDefinitionSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'subagent names use letters, digits, ".", "_" and "-"'),
  description: z.string(),
  prompt: z.string(),
  model: z.string().optional(),
  tools: z.array(z.string()).optional(),
});

/** A slash command (`/name`) that expands to a prompt. */
export const agentCommandSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'command names use letters, digits, ".", "_" and "-"'),
  prompt: z.string(),
});

/** An MCP server the agent connects to: a local process (stdio) or a remote endpoint. */
export const mcpServerConfigSchema = z.union([
  z.object({
    type: z.literal('stdio').optional(),
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
  }),
  z.object({
    type: z.enum(['http', 'sse']),
    url: z.string().url(),
    headers: z.record(z.string(), z.string()).optional(),
  }),
]);

/**
 * Everything that makes an agent *this* agent. Each field reaches the CLI:
 * the system prompt, CLAUDE.md/GEMINI.md, skills, subagents, commands, tool allowlist,
 * MCP servers, environment variables and files the workspace starts with.
 */
export const agentProfileSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().optional(),
  /** Appended to the agent's own system prompt. */
  systemPrompt: z.string().optional(),
  /** Contents of CLAUDE.md (Claude) or GEMINI.md (Gemini) at the workspace root. */
  agentMDFile: z.string().optional(),
  /** Model id; the CLI's default when absent. */
  model: z.string().optional(),
  skills: z.array(agentSkillSchema).optional(),
  subagents: z.array(subagentDefinitionSchema).optional(),
  commands: z.array(agentCommandSchema).optional(),
  /** Allowed tools; all of the agent's tools when absent. */
  tools: z.array(z.string()).optional(),
  mcpServers: z.record(z.string(), mcpServerConfigSchema).optional(),
  /** Given to the agent process. Secrets live here: never logged, never sent to clients. */
  environmentVariables: z.record(z.string(), z.string()).optional(),
  /** Files every new session's workspace starts with. */
  defaultWorkspaceFiles: z.array(workspaceFileSchema).optional(),
  /** Hosts the agent may reach besides its model API (sandboxes have no other network by default). */
  network: profileNetworkSchema.optional(),
  /**
   * Per-tool allow / ask / deny (`ask`: a person approves each call, `session:permission:request`).
   * Absent: every tool is allowed inside the sandbox, as before.
   */
  toolPolicy: toolPolicySchema.optional(),
});

export type SkillSupportingFile = z.infer<typeof skillSupportingFileSchema>;
export type AgentSkill = z.input<typeof agentSkillSchema>;
export type SubagentDefinition = z.infer<typeof subagentDefinitionSchema>;
export type AgentCommand = z.infer<typeof agentCommandSchema>;
export type McpServerConfig = z.infer<typeof mcpServerConfigSchema>;
export type AgentProfile = z.input<typeof agentProfileSchema>;
