import { z } from 'zod';
import { blockBaseShape } from './block-base.js';
import { tokenUsageSchema } from './token-usage.js';

/** Text the agent wrote. Streams as `session:block:delta` while the model generates it. */
export const assistantTextBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('assistant_text'),
  content: z.string(),
  /** Model that produced the text, e.g. `claude-sonnet-4-5`. */
  model: z.string().optional(),
  /** Usage of the model response this text belongs to, when known. */
  usage: tokenUsageSchema.optional(),
});

export type AssistantTextBlock = z.infer<typeof assistantTextBlockSchema>;
