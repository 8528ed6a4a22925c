import type { AgentProfile } from './agent-profile.js';

/**
 * A copy of a profile safe to log or send to a client: environment variable values and MCP
 * server env/headers are replaced by `'[redacted]'`.
 */
export function redactAgentProfile(profile: AgentProfile): AgentProfile {
  const redact = (record: Record<string, string> | undefined) =>
    record ? Object.fromEntries(Object.keys(record).map((key) => [key, '[redacted]'])) : undefined;
  return {
    ...profile,
    environmentVariables: redact(profile.environmentVariables),
    mcpServers: profile.mcpServers
      ? Object.fromEntries(
          Object.entries(profile.mcpServers).map(([name, server]) => [
            name,
            'url' in server
              ? { ...server, headers: redact(server.headers) }
              : { ...server, env: redact(server.env) },
          ]),
        )
      : undefined,
  };
}
