import type { AgentEvent, MetadataUpdateEvent, TokenUsage } from '@agent-runtime/core';

type MetadataAgentEvent = Extract<AgentEvent, { type: 'metadata' }>;

/** Add a turn's usage, cost and model into the session's metadata; also returns the public update. */
export function mergeMetadata(
  current: Record<string, unknown> | undefined,
  event: MetadataAgentEvent,
): { metadata: Record<string, unknown>; update: MetadataUpdateEvent['metadata'] } {
  const metadata = { ...(current ?? {}) };
  if (event.usage) metadata.usage = addUsage(metadata.usage as TokenUsage | undefined, event.usage);
  if (event.costUsd !== undefined) metadata.costUsd = ((metadata.costUsd as number | undefined) ?? 0) + event.costUsd;
  if (event.model !== undefined) metadata.model = event.model;
  return {
    metadata,
    update: {
      ...(metadata.usage ? { usage: metadata.usage as TokenUsage } : {}),
      ...(metadata.costUsd !== undefined ? { costUsd: metadata.costUsd as number } : {}),
      ...(metadata.model !== undefined ? { model: metadata.model as string } : {}),
    },
  };
}

export function addUsage(total: TokenUsage | undefined, usage: TokenUsage): TokenUsage {
  if (!total) return { ...usage };
  const sum = (a: number | undefined, b: number | undefined) => (a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0));
  const result: TokenUsage = {
    inputTokens: total.inputTokens + usage.inputTokens,
    outputTokens: total.outputTokens + usage.outputTokens,
  };
  const cacheRead = sum(total.cacheReadTokens, usage.cacheReadTokens);
  const cacheWrite = sum(total.cacheWriteTokens, usage.cacheWriteTokens);
  const thinking = sum(total.thinkingTokens, usage.thinkingTokens);
  if (cacheRead !== undefined) result.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) result.cacheWriteTokens = cacheWrite;
  if (thinking !== undefined) result.thinkingTokens = thinking;
  return result;
}
