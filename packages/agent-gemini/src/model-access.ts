import type { Sandbox, SandboxModelEndpoint } from '@agent-runtime/core';

/** The variables through which the Gemini CLI is told where its model API is and its key. */
export const GEMINI_MODEL_ENV_KEYS = ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_GEMINI_BASE_URL'] as const;

const DEFAULT_UPSTREAM = 'https://generativelanguage.googleapis.com';

/** Removes the model endpoint and keys from an environment (what the sandbox may see). */
export function withoutGeminiModelEnv(env: Record<string, string>): Record<string, string> {
  const rest = { ...env };
  for (const key of GEMINI_MODEL_ENV_KEYS) delete rest[key];
  return rest;
}

/**
 * The Gemini CLI's model access inside a sandbox. With a sandbox that has an egress proxy
 * (`sandbox.modelEndpoint`), the real endpoint and key stay on the host: the CLI gets the
 * proxy's URL and a per-sandbox token as GEMINI_API_KEY, and the proxy swaps the token
 * (x-goog-api-key header or `key` parameter) for the real key. Vertex AI (GOOGLE_GENAI_USE_VERTEXAI)
 * and sandboxes without a proxy get the configured variables as they are.
 */
export class GeminiModelAccess {
  private readonly endpoints = new WeakMap<Sandbox, Promise<SandboxModelEndpoint>>();

  /** @param hostEnv the Gemini/Google variables of the host (or the options' env) */
  constructor(private readonly hostEnv: () => Record<string, string>) {}

  async envFor(sandbox: Sandbox): Promise<Record<string, string>> {
    const env = this.hostEnv();
    if (!sandbox.modelEndpoint || env.GOOGLE_GENAI_USE_VERTEXAI === 'true') {
      const direct: Record<string, string> = {};
      for (const key of GEMINI_MODEL_ENV_KEYS) if (env[key] !== undefined) direct[key] = env[key] as string;
      return direct;
    }
    let endpoint = this.endpoints.get(sandbox);
    if (!endpoint) {
      const key = env.GEMINI_API_KEY ?? env.GOOGLE_API_KEY;
      endpoint = sandbox.modelEndpoint({
        upstreamUrl: env.GOOGLE_GEMINI_BASE_URL ?? DEFAULT_UPSTREAM,
        headers: key !== undefined ? { 'x-goog-api-key': key } : {},
        tokenHeaders: ['x-goog-api-key', 'authorization'],
        tokenQueryParameters: ['key'],
      });
      this.endpoints.set(sandbox, endpoint);
      endpoint.catch(() => this.endpoints.delete(sandbox));
    }
    const { baseUrl, token, proxyEnv } = await endpoint;
    return { ...proxyEnv, GOOGLE_GEMINI_BASE_URL: baseUrl, GEMINI_API_KEY: token };
  }
}
