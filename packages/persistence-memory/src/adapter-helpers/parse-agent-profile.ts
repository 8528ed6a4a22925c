import { AgentRuntimeError, agentProfileSchema, invalidInputError, type AgentProfile } from '@agent-runtime/core';

/**
 * Validates a profile with core's `agentProfileSchema` and returns the parsed value (defaults
 * applied, unknown keys dropped). Throws `INVALID_INPUT` naming the field, and `source` (a file
 * name) when given.
 */
export function parseAgentProfile(value: unknown, source?: string): AgentProfile {
  const result = agentProfileSchema.safeParse(value);
  if (result.success) return result.data;
  const id = typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : undefined;
  const subject = [source, id === undefined ? undefined : `profile "${id}"`].filter(Boolean).join(', ') || 'agent profile';
  // Core's one zod -> INVALID_INPUT mapping, plus where the profile came from.
  const mapped = invalidInputError(result.error.issues, 'profile');
  throw new AgentRuntimeError('INVALID_INPUT', `Invalid agent profile (${subject}): ${mapped.message}`, {
    details: { ...mapped.details, ...(source ? { source } : {}), ...(id ? { agentProfileId: id } : {}) },
  });
}

/** `parseAgentProfile` for a batch: all are validated before any is stored. */
export function parseAgentProfiles(values: readonly unknown[]): AgentProfile[] {
  return values.map((value) => parseAgentProfile(value));
}
