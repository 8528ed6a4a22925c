import type { TokenUsage } from '@agent-runtime/core';
import type { GeminiStreamEvent, GeminiStreamStats } from './gemini-stream-events.js';

/** How a Gemini CLI run ended, from its `result` event. */
export interface GeminiRunResult {
  status: 'success' | 'error';
  error?: { type?: string; message?: string };
  usage?: TokenUsage;
}

/** The outcome a stream-json `result` event reports (its `status`, not the exit code, decides). */
export function runResultOf(event: Extract<GeminiStreamEvent, { type: 'result' }>): GeminiRunResult {
  const usage = mapStats(event.stats);
  return {
    status: event.status === 'success' ? 'success' : 'error',
    ...(event.error ? { error: event.error } : {}),
    ...(usage ? { usage } : {}),
  };
}

function mapStats(stats: GeminiStreamStats | undefined): TokenUsage | undefined {
  if (!stats || typeof stats.input_tokens !== 'number' || typeof stats.output_tokens !== 'number') return undefined;
  return {
    inputTokens: stats.input_tokens,
    outputTokens: stats.output_tokens,
    ...(stats.cached ? { cacheReadTokens: stats.cached } : {}),
  };
}
