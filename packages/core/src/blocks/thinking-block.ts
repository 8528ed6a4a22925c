import { z } from 'zod';
import { blockBaseShape } from './block-base.js';

/** The model's visible reasoning. */
export const thinkingBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('thinking'),
  content: z.string(),
  /** A short title or summary, where the agent gives one (Gemini's thought `subject`). */
  summary: z.string().optional(),
});

export type ThinkingBlock = z.infer<typeof thinkingBlockSchema>;
