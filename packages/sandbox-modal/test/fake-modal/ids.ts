/** Modal-shaped identifiers and JWTs for the fake. */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `count` random characters from [0-9A-Za-z]. */
export function randomAlnum(count: number): string {
  const bytes = randomBytes(count);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** `ap-` + 22 characters, like real app ids. */
export const newAppId = (): string => `ap-${randomAlnum(22)}`;
/** `im-` + 22 characters, like real image ids. */
export const newImageId = (): string => `im-${randomAlnum(22)}`;
/**
 * Sandbox ids must NOT look like V1 ids (`sb-` + exactly 22 characters): the SDK picks the V2
 * code paths (which the fake implements) from the id's shape.
 */
export const newSandboxId = (): string => `sb-v2fake-${randomAlnum(16)}`;
/** `st-` + 22 characters, like real secret ids. */
export const newSecretId = (): string => `st-${randomAlnum(22)}`;
/** `ta-` + 22 characters. */
export const newTaskId = (): string => `ta-${randomAlnum(22)}`;

/** An unsigned JWT whose payload carries `exp` (the SDK only decodes it to schedule refreshes). */
export function fakeJwt(claims: Record<string, unknown> = {}, lifetimeSecs = 3600): string {
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const payload = { ...claims, exp: Math.floor(Date.now() / 1000) + lifetimeSecs };
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.${randomAlnum(16)}`;
}
