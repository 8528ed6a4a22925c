import type { Sandbox, SandboxModelEndpoint } from '@agent-runtime/core';

/** The variables through which Claude Code is told where its model API is and how to log in. */
export const CLAUDE_MODEL_ENV_KEYS = ['ANTHROPIC_BASE_URL', 'ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'] as const;

const DEFAULT_UPSTREAM = 'https://api.anthropic.com';

/** Removes the model endpoint and credentials from an environment (what the sandbox may see). */
export function withoutClaudeModelEnv(env: Record<string, string>): Record<string, string> {
  const rest = { ...env };
  for (const key of CLAUDE_MODEL_ENV_KEYS) delete rest[key];
  return rest;
}

/**
 * Claude Code's model access inside a sandbox. With a sandbox that has an egress proxy
 * (`sandbox.modelEndpoint`), the real endpoint and key are registered with the proxy on the host
 * and the CLI gets the proxy's URL and a per-sandbox token as its key: x-api-key (or the
 * Authorization bearer, for ANTHROPIC_AUTH_TOKEN) is swapped on the way out. Without one, the
 * configured variables are passed as they are (the provider then carries the risk).
 */
export class ClaudeModelAccess {
  private readonly endpoints = new WeakMap<Sandbox, Promise<SandboxModelEndpoint>>();

  /** @param hostEnv the ANTHROPIC_* variables of the host (process.env merged with the options' env) */
  constructor(private readonly hostEnv: () => Record<string, string>) {}

  /** Environment entries for one CLI run in `sandbox` (applied last, over the profile's). */
  async envFor(sandbox: Sandbox): Promise<Record<string, string>> {
    const env = this.hostEnv();
    if (!sandbox.modelEndpoint) {
      const direct: Record<string, string> = {};
      for (const key of CLAUDE_MODEL_ENV_KEYS) if (env[key] !== undefined) direct[key] = env[key] as string;
      return direct;
    }
    let endpoint = this.endpoints.get(sandbox);
    if (!endpoint) {
      const apiKey = env.ANTHROPIC_API_KEY;
      const authToken = env.ANTHROPIC_AUTH_TOKEN;
      const headers: Record<string, string> = {};
      if (apiKey !== undefined) headers['x-api-key'] = apiKey;
      else if (authToken !== undefined) headers.authorization = `Bearer ${authToken}`;
      endpoint = sandbox.modelEndpoint({ upstreamUrl: env.ANTHROPIC_BASE_URL ?? DEFAULT_UPSTREAM, headers, tokenHeaders: ['x-api-key', 'authorization'] });
      this.endpoints.set(sandbox, endpoint);
      endpoint.catch(() => this.endpoints.delete(sandbox));
    }
    const { baseUrl, token, proxyEnv } = await endpoint;
    return { ...proxyEnv, ANTHROPIC_BASE_URL: baseUrl, ANTHROPIC_API_KEY: token };
  }
}
