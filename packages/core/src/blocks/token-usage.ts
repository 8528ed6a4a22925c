import { z } from 'zod';

/** Token counts as reported by the model provider for one model response or a whole turn. */
export const tokenUsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** Prompt tokens served from the provider's cache. */
  cacheReadTokens: z.number().int().nonnegative().optional(),
  /** Prompt tokens written to the provider's cache. */
  cacheWriteTokens: z.number().int().nonnegative().optional(),
  /** Reasoning tokens, where the provider reports them apart. */
  thinkingTokens: z.number().int().nonnegative().optional(),
});

export type TokenUsage = z.infer<typeof tokenUsageSchema>;
