import { createHash } from 'node:crypto';

const NAME_CHARSET = /^[a-zA-Z0-9_.-]+$/;
const MAX_NAME = 63;

function shortHash(value: string, length: number): string {
  return createHash('sha256').update(value).digest('hex').slice(0, length);
}

/**
 * The Modal sandbox name for a session: unique within the app for one deployment, so a second
 * `create` for the same session finds the running sandbox instead of starting another. Modal names
 * allow `[A-Za-z0-9._-]`, at most 64 characters; other session ids are hashed.
 */
export function sandboxName(deployment: string, sessionId: string): string {
  const prefix = `ar-${shortHash(deployment, 8)}-`;
  const room = MAX_NAME - prefix.length;
  if (NAME_CHARSET.test(sessionId) && sessionId.length <= room) return `${prefix}${sessionId}`;
  const readable = sessionId.replace(/[^a-zA-Z0-9_.-]/g, '').slice(0, room - 17);
  return `${prefix}${readable}-${shortHash(sessionId, 16)}`;
}
