import { invalidInputError } from '@agent-runtime/core';

/** A seq, bound or limit must be a non-negative integer; anything else is `INVALID_INPUT`. */
export function checkedSeq(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidInputError([{ path: [field], message: 'must be a non-negative integer' }]);
  return value;
}
