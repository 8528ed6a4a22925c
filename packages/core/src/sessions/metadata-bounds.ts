/**
 * Bounds on a session's free-form `metadata` and `name`. Metadata is copied into every
 * `GET /sessions` answer and every `sessions:list` frame, and serialising very deep JSON overflows
 * the stack (4,109 levels of nesting made `GET /sessions` answer 500): both its nesting depth and
 * its serialised size are bounded at create, and servers check stored metadata again on the way out.
 */

/** Deepest nesting of objects/arrays inside `metadata` (the metadata object itself is level 1). */
export const MAX_METADATA_DEPTH = 16;
/** Largest `metadata` as JSON, in UTF-16 code units (about bytes for ASCII). */
export const MAX_METADATA_BYTES = 16 * 1024;
/** Longest session `name`. */
export const MAX_SESSION_NAME_LENGTH = 200;

/**
 * Why `value` breaks the metadata bounds, or `undefined` when it keeps them. Walks iteratively
 * (never recursing, so it cannot overflow the stack itself) and stops at the first excess.
 */
export function metadataProblem(
  value: unknown,
  limits: { maxDepth?: number; maxBytes?: number } = {},
): string | undefined {
  const maxDepth = limits.maxDepth ?? MAX_METADATA_DEPTH;
  const maxBytes = limits.maxBytes ?? MAX_METADATA_BYTES;
  // An estimate of the JSON size that never undercounts by much: keys, strings and punctuation.
  let bytes = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current === 'string') bytes += current.length + 2;
    else if (typeof current === 'number' || typeof current === 'boolean' || current === null) bytes += String(current).length;
    else if (typeof current === 'object') {
      if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
      bytes += 2;
      const entries = Array.isArray(current) ? current.map((item) => ['', item] as const) : Object.entries(current as object);
      for (const [key, item] of entries) {
        bytes += key.length + (Array.isArray(current) ? 1 : 4);
        stack.push({ value: item, depth: depth + 1 });
      }
    }
    if (bytes > maxBytes) return `larger than ${maxBytes} bytes as JSON`;
  }
  return undefined;
}
