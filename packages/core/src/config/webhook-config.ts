import { z } from 'zod';

/**
 * What a webhook can be told about, each from one engine event:
 * `permission.requested` (`session:permission:request`), `question.requested`
 * (`session:question:request`), `turn.ended` (`session:turn:end`) and `session.idle`
 * (`session:status` to `inactive`: the idle timeout stopped the session's sandbox).
 */
export const WEBHOOK_EVENT_TYPES = ['permission.requested', 'question.requested', 'turn.ended', 'session.idle'] as const;
export const webhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof webhookEventTypeSchema>;

/**
 * One webhook: where to POST, the secret its deliveries are signed with (HMAC-SHA256 over
 * `timestamp + "." + body`, header `X-Agent-Runtime-Signature: t=<unix seconds>,v1=<hex>`), and
 * which events it wants (default: all of them).
 */
export const webhookConfigSchema = z
  .object({
    url: z
      .string()
      .url('expected an http(s) URL')
      .refine((url) => /^https?:\/\//i.test(url), 'expected an http(s) URL'),
    /** At least 16 characters: the receiver checks signatures with it (`verifyWebhookSignature`). */
    secret: z.string().min(16, 'at least 16 characters').max(1000),
    /** Default: every event type. */
    events: z.array(webhookEventTypeSchema).min(1).optional(),
    /** Give up on one attempt after this long (then retry). Default 10000. */
    timeoutMs: z.number().int().min(100).max(120_000).optional(),
    /** Attempts per delivery, the first included. Default 6 (about a minute of backoff). */
    maxAttempts: z.number().int().min(1).max(20).optional(),
  })
  .strict();

export type WebhookConfig = z.infer<typeof webhookConfigSchema>;
