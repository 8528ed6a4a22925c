import { invalidInputError } from '@agent-runtime/core';

const TOKEN = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * A session or node id as one NATS subject token. Ids are never trusted: anything but letters,
 * digits, `-` and `_` (a `.`, `*`, `>` or whitespace would change the subject's meaning) is refused
 * with `INVALID_INPUT`.
 */
export function subjectToken(value: string, field: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw invalidInputError([{ path: [field], message: 'must be 1-200 letters, digits, "-" or "_" to be used in a NATS subject' }]);
  }
  return value;
}

/** A subject prefix of one or more tokens joined by `.`. */
export function checkedSubjectPrefix(prefix: string): string {
  if (!prefix.split('.').every((part) => TOKEN.test(part))) throw new TypeError(`Invalid NATS subject prefix: ${JSON.stringify(prefix)}`);
  return prefix;
}
