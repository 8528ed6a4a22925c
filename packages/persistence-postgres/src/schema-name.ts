import { AgentRuntimeError } from '@agent-runtime/core';

/**
 * The schema name, quoted for SQL. Identifiers cannot be query parameters, so the name is
 * checked against a strict pattern instead; every value goes through `$n` parameters.
 */
export function quotedSchema(schema: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new AgentRuntimeError('INVALID_CONFIG', `PostgreSQL schema name "${schema}" must match [A-Za-z_][A-Za-z0-9_]* (at most 63 characters).`, {
      details: { field: 'schema' },
    });
  }
  return `"${schema}"`;
}
