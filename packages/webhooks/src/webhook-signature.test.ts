import { describe, expect, it } from 'vitest';
import { checkWebhookSignature, signWebhookBody, verifyWebhookSignature, webhookSignature } from './webhook-signature.js';

const secret = 'whsec_0123456789abcdef';
const body = '{"id":"s:1","type":"turn.ended"}';
const now = 1_800_000_000_000;
const t = now / 1000;

describe('webhook signatures', () => {
  it('signs timestamp + "." + body with HMAC-SHA256 and verifies it', () => {
    const header = signWebhookBody(secret, body, t);
    expect(header).toBe(`t=${t},v1=${webhookSignature(secret, t, body)}`);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(secret, header, body, { now })).toBe(true);
    expect(verifyWebhookSignature(secret, header, new TextEncoder().encode(body), { now })).toBe(true);
  });

  it('refuses another body, another secret, a stale or future timestamp, a malformed header', () => {
    const header = signWebhookBody(secret, body, t);
    expect(checkWebhookSignature(secret, header, body + ' ', { now })).toEqual({ valid: false, reason: 'mismatch' });
    expect(checkWebhookSignature('another-secret-0000', header, body, { now })).toEqual({ valid: false, reason: 'mismatch' });
    expect(checkWebhookSignature(secret, header, body, { now: now + 301_000 })).toEqual({ valid: false, reason: 'stale' });
    expect(checkWebhookSignature(secret, header, body, { now: now - 301_000 })).toEqual({ valid: false, reason: 'stale' });
    expect(checkWebhookSignature(secret, header, body, { now: now + 299_000 })).toMatchObject({ valid: true });
    expect(checkWebhookSignature(secret, header, body, { now: now + 20_000, toleranceSeconds: 10 })).toEqual({ valid: false, reason: 'stale' });
    for (const bad of [undefined, '', 'v1=abc', `t=${t}`, `t=abc,v1=${'0'.repeat(64)}`, `t=${t},v1=xyz`]) {
      expect(checkWebhookSignature(secret, bad, body, { now })).toEqual({ valid: false, reason: 'malformed' });
    }
  });

  it('a replayed header with a re-signed timestamp but the old signature fails', () => {
    const header = signWebhookBody(secret, body, t);
    const forged = header.replace(`t=${t}`, `t=${t + 600}`);
    expect(checkWebhookSignature(secret, forged, body, { now: now + 600_000 })).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const header = `t=${t},v1=${webhookSignature('old-secret-000000000', t, body)},v1=${webhookSignature(secret, t, body)}`;
    expect(verifyWebhookSignature(secret, header, body, { now })).toBe(true);
  });
});
