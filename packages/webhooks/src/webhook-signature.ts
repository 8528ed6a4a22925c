import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header a delivery's signature travels in. */
export const WEBHOOK_SIGNATURE_HEADER = 'x-agent-runtime-signature';

/** HMAC-SHA256 of `timestamp + "." + body` with the webhook's secret, as hex. */
export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}

/** The signature header of a delivery sent at `timestampSeconds`: `t=<unix seconds>,v1=<hex>`. */
export function signWebhookBody(secret: string, body: string, timestampSeconds: number): string {
  return `t=${timestampSeconds},v1=${webhookSignature(secret, timestampSeconds, body)}`;
}

export interface VerifyWebhookSignatureOptions {
  /** How old (or how far in the future) the signed timestamp may be. Default 300 seconds. */
  toleranceSeconds?: number;
  /** The receiver's clock, epoch milliseconds. Default `Date.now()`. */
  now?: number;
}

export type WebhookSignatureCheck =
  | { valid: true; timestamp: number }
  | { valid: false; reason: 'malformed' | 'stale' | 'mismatch' };

/**
 * Checks a delivery the way `verifyWebhookSignature` does, and says why one failed: a header that
 * is not `t=<digits>,v1=<hex>[,v1=<hex>...]` (`malformed`), a timestamp outside the tolerance
 * (`stale`: a replay), or no `v1` that matches (`mismatch`). `body` must be the raw request body,
 * byte for byte (not re-serialised JSON).
 */
export function checkWebhookSignature(secret: string, header: string | undefined | null, body: string | Uint8Array, options: VerifyWebhookSignatureOptions = {}): WebhookSignatureCheck {
  if (typeof header !== 'string') return { valid: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value !== undefined && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) return { valid: false, reason: 'malformed' };
  const toleranceSeconds = options.toleranceSeconds ?? 300;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { valid: false, reason: 'stale' };
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const expected = Buffer.from(webhookSignature(secret, timestamp, text), 'hex');
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  return matches ? { valid: true, timestamp } : { valid: false, reason: 'mismatch' };
}

/**
 * For receivers: true when `header` (`X-Agent-Runtime-Signature`) signs `body` with `secret` and
 * its timestamp is within `toleranceSeconds` (default 300) of now; false otherwise — including a
 * stale timestamp, which is how a replayed delivery is refused. Compares in constant time.
 *
 * @example
 * if (!verifyWebhookSignature(process.env.WEBHOOK_SECRET!, request.headers['x-agent-runtime-signature'], rawBody)) reply.code(401);
 */
export function verifyWebhookSignature(secret: string, header: string | undefined | null, body: string | Uint8Array, options: VerifyWebhookSignatureOptions = {}): boolean {
  return checkWebhookSignature(secret, header, body, options).valid;
}
