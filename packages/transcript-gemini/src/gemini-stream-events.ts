/**
 * Events of `gemini -p ... -o stream-json`: one JSON object per stdout line
 * (checked against @google/gemini-cli 0.61.0).
 *
 * Each text chunk of the model is its own `message` with `delta: true`; thoughts are never
 * emitted; `error` is a non-fatal problem (severity `error` | `warning`); `result` ends the run,
 * and its `status` (not the process exit code) says whether the run succeeded.
 *
 * @see https://github.com/google-gemini/gemini-cli/blob/main/packages/core/src/output/types.ts
 */
export type GeminiStreamEvent =
  | { type: 'init'; timestamp?: string; session_id?: string; model?: string }
  | { type: 'message'; timestamp?: string; role: 'user' | 'assistant'; content: string; delta?: boolean }
  | {
      type: 'tool_use';
      timestamp?: string;
      tool_name: string;
      tool_id: string;
      parameters?: Record<string, unknown>;
    }
  | {
      type: 'tool_result';
      timestamp?: string;
      tool_id: string;
      status: 'success' | 'error';
      output?: string;
      error?: { type?: string; message?: string };
    }
  | { type: 'error'; timestamp?: string; severity?: 'error' | 'warning'; message?: string }
  | {
      type: 'result';
      timestamp?: string;
      status: 'success' | 'error';
      error?: { type?: string; message?: string };
      stats?: GeminiStreamStats;
    };

export interface GeminiStreamStats {
  total_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
  cached?: number;
  input?: number;
  duration_ms?: number;
  tool_calls?: number;
  models?: Record<string, Omit<GeminiStreamStats, 'models'>>;
}

const EVENT_TYPES = new Set(['init', 'message', 'tool_use', 'tool_result', 'error', 'result']);

/**
 * Parses one stdout line. Returns `undefined` for anything that is not a known stream-json event
 * (the CLI may print other text to stdout), so callers can count or log it.
 */
export function parseGeminiStreamLine(line: string): GeminiStreamEvent | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return undefined;
  const event = value as GeminiStreamEvent;
  if (event.type === 'message' && typeof event.content !== 'string') return undefined;
  if ((event.type === 'tool_use' || event.type === 'tool_result') && typeof event.tool_id !== 'string') return undefined;
  return event;
}
