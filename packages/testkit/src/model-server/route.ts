import type { ModelApi } from './scenario.js';

/** What a request asks for. */
export type Endpoint = 'generate' | 'count_tokens' | 'models' | 'other';

/** A classified request path. */
export interface Route {
  api: ModelApi | 'unknown';
  endpoint: Endpoint;
  /** Model named in a Gemini path. */
  model?: string;
  /** Gemini: streamGenerateContent; Anthropic: decided by the body's `stream`. */
  stream?: boolean;
}

const geminiMethod = /^\/v1(?:beta|alpha)?\d*\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

/** Classifies a request by method, path and headers. */
export function routeOf(method: string, url: string, headers: Record<string, unknown>): Route {
  const path = url.split('?')[0] ?? '';
  const gemini = geminiMethod.exec(path);
  if (gemini) {
    const [, model, action] = gemini;
    if (action === 'countTokens') return { api: 'gemini', endpoint: 'count_tokens', model };
    return { api: 'gemini', endpoint: method === 'POST' ? 'generate' : 'other', model, stream: action === 'streamGenerateContent' };
  }
  if (path === '/v1/messages' && method === 'POST') return { api: 'anthropic', endpoint: 'generate' };
  if (path === '/v1/messages/count_tokens') return { api: 'anthropic', endpoint: 'count_tokens' };
  if (/^\/v1beta\d*\/models(\/[^/:]+)?$/.test(path)) return { api: 'gemini', endpoint: 'models' };
  if (/^\/v1\/models(\/[^/]+)?$/.test(path)) return { api: 'anthropic', endpoint: 'models' };
  const api = 'x-goog-api-key' in headers ? 'gemini' : 'anthropic-version' in headers || 'x-api-key' in headers ? 'anthropic' : 'unknown';
  return { api, endpoint: 'other' };
}
