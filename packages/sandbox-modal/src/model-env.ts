import { invalidConfigError } from './errors.js';

/** Env vars that point an agent at its model API. */
const MODEL_URL_VARIABLES = ['ANTHROPIC_BASE_URL', 'GOOGLE_GEMINI_BASE_URL', 'GEMINI_BASE_URL'] as const;

/** Env vars holding model API keys, the header each API reads, and the API's domain. */
export const MODEL_KEYS = [
  { variable: 'ANTHROPIC_API_KEY', domain: 'api.anthropic.com', header: 'x-api-key' },
  { variable: 'GEMINI_API_KEY', domain: 'generativelanguage.googleapis.com', header: 'x-goog-api-key' },
] as const;

/** What a sandbox sees instead of a key when Modal's outbound policy adds the real one. */
export const KEY_PLACEHOLDER = 'injected-by-modal-outbound-policy';

function isLocalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\./.test(host);
}

/** Refuses model URLs on localhost: they cannot resolve inside a Modal sandbox (INVALID_CONFIG). */
export function assertReachableModelUrls(env: Record<string, string> | undefined): void {
  for (const name of MODEL_URL_VARIABLES) {
    const value = env?.[name];
    if (value === undefined || value === '') continue;
    let hostname: string;
    try {
      hostname = new URL(value).hostname;
    } catch {
      throw invalidConfigError(`${name} is not a URL: "${value.slice(0, 200)}".`);
    }
    if (isLocalHost(hostname)) {
      throw invalidConfigError(
        `${name}=${value.slice(0, 200)} points at localhost, which a Modal sandbox cannot reach (it runs in Modal's cloud, not on this host). ` +
          'Use a URL reachable from the internet, or the local sandbox.',
      );
    }
  }
}

/** The env with model keys replaced by the placeholder (used when `modelKeySecret` is set). */
export function withoutModelKeys(env: Record<string, string> | undefined): Record<string, string> {
  const result = { ...env };
  for (const { variable } of MODEL_KEYS) if (result[variable] !== undefined) result[variable] = KEY_PLACEHOLDER;
  return result;
}
