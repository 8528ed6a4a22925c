import { z } from 'zod';

/** The agent a session runs: Claude Code through the Claude Agent SDK, or Gemini CLI. */
export const agentArchitectureTypeSchema = z.enum(['claude-agent-sdk', 'gemini-cli']);

export type AgentArchitectureType = z.infer<typeof agentArchitectureTypeSchema>;
