/**
 * A model API that a sandbox's egress proxy forwards to, with the credentials it adds. The
 * credentials stay on the host: the sandbox gets only a base URL and a token that means nothing
 * outside this sandbox's proxy.
 */
export interface SandboxModelUpstream {
  /** Where requests go, e.g. `https://api.anthropic.com` (a path prefix is kept). */
  upstreamUrl: string;
  /**
   * Headers set on every forwarded request: the real credentials (`x-api-key`,
   * `authorization`, `x-goog-api-key`). Never written anywhere a sandbox can read.
   */
  headers?: Record<string, string>;
  /** Query parameters set on every forwarded request (e.g. Gemini's `key`). */
  query?: Record<string, string>;
  /**
   * Request headers (lower case) and query parameters in which the agent sends its token
   * (`x-api-key`, `authorization` — a `Bearer` prefix is accepted —, `x-goog-api-key`, `key`).
   * They are checked against the token and removed before forwarding.
   */
  tokenHeaders: string[];
  tokenQueryParameters?: string[];
}

/** What the agent inside uses instead of the real endpoint and key. */
export interface SandboxModelEndpoint {
  /** Base URL that reaches the proxy from inside the sandbox, e.g. `http://127.0.0.1:47113`. */
  baseUrl: string;
  /** Per-sandbox, per-upstream random token to send as the API key; the proxy swaps it for the real one. */
  token: string;
  /**
   * Environment for processes that should reach allowlisted hosts through the proxy
   * (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY` and their lower-case forms); empty when the sandbox
   * shares the host's network.
   */
  proxyEnv: Record<string, string>;
}
