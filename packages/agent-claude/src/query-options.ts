import type { AgentProfile, McpServerConfig } from '@agent-runtime/core';
import type { AgentDefinition, McpServerConfig as SdkMcpServerConfig, Options } from '@anthropic-ai/claude-agent-sdk';

function mcpServer(config: McpServerConfig): SdkMcpServerConfig {
  if ('command' in config) {
    const server: SdkMcpServerConfig = { type: 'stdio', command: config.command };
    if (config.args) server.args = config.args;
    if (config.env) server.env = config.env;
    return server;
  }
  return config.headers ? { type: config.type, url: config.url, headers: config.headers } : { type: config.type, url: config.url };
}

/** The SDK options a profile maps to (everything but files, env and process wiring). */
export function claudeProfileOptions(profile: AgentProfile, defaultModel: string | undefined): Partial<Options> {
  const options: Partial<Options> = {
    systemPrompt: profile.systemPrompt
      ? { type: 'preset', preset: 'claude_code', append: profile.systemPrompt }
      : { type: 'preset', preset: 'claude_code' },
    settingSources: ['project'],
  };
  const model = profile.model ?? defaultModel;
  if (model) options.model = model;
  if (profile.tools) {
    options.tools = profile.tools;
    options.allowedTools = profile.tools;
  }
  if (profile.subagents?.length) {
    const agents: Record<string, AgentDefinition> = {};
    for (const subagent of profile.subagents) {
      const definition: AgentDefinition = { description: subagent.description, prompt: subagent.prompt };
      if (subagent.tools) definition.tools = subagent.tools;
      if (subagent.model) definition.model = subagent.model;
      agents[subagent.name] = definition;
    }
    options.agents = agents;
  }
  if (profile.mcpServers) {
    const servers: Record<string, SdkMcpServerConfig> = {};
    for (const [name, config] of Object.entries(profile.mcpServers)) servers[name] = mcpServer(config);
    options.mcpServers = servers;
    // Over the control channel, not argv: server env and headers (secrets) stay off the command line.
    options.mcpServersDelivery = 'initialize';
  }
  return options;
}
