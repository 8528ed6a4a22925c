import { z } from 'zod';
import { blockBaseShape } from './block-base.js';

/** A text part of a user message. */
export const userTextPartSchema = z.object({ type: z.literal('text'), text: z.string() });

/** An image part of a user message (base64 data or a URL). */
export const userImagePartSchema = z.object({
  type: z.literal('image'),
  /** MIME type such as `image/png`. */
  mediaType: z.string().min(1),
  /** Base64-encoded bytes; either this or `url`. */
  data: z.string().optional(),
  url: z.string().optional(),
});

export const userMessageContentSchema = z.union([
  z.string(),
  z.array(z.discriminatedUnion('type', [userTextPartSchema, userImagePartSchema])),
]);

/** What the user (or the application on their behalf) said. */
export const userMessageBlockSchema = z.object({
  ...blockBaseShape,
  type: z.literal('user_message'),
  content: userMessageContentSchema,
});

export type UserTextPart = z.infer<typeof userTextPartSchema>;
export type UserImagePart = z.infer<typeof userImagePartSchema>;
export type UserMessageContent = z.infer<typeof userMessageContentSchema>;
export type UserMessageBlock = z.infer<typeof userMessageBlockSchema>;
