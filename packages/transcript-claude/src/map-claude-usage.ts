import type { TokenUsage } from '@agent-runtime/core';
import type { ClaudeUsage } from './sdk-message-types.js';

/** Anthropic usage -> core `TokenUsage`. */
export function mapClaudeUsage(usage: ClaudeUsage): TokenUsage {
  const mapped: TokenUsage = { inputTokens: usage.input_tokens ?? 0, outputTokens: usage.output_tokens ?? 0 };
  if (usage.cache_read_input_tokens) mapped.cacheReadTokens = usage.cache_read_input_tokens;
  if (usage.cache_creation_input_tokens) mapped.cacheWriteTokens = usage.cache_creation_input_tokens;
  return mapped;
}
