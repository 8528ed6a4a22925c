import { AgentRuntimeError, joinArgumentsSchema, leaveArgumentsSchema, warmArgumentsSchema } from '@agent-runtime/core';

export type Acknowledge = (response: unknown) => void;

export type ParsedClientEvent =
  | { ok: true; sessionId: string; since: number | undefined; acknowledge: Acknowledge | undefined }
  | { ok: false; error: AgentRuntimeError; acknowledge: Acknowledge | undefined };

/**
 * The arguments of `session:join` (`sessionId, {since}?, callback?`) or `session:leave`
 * or `session:warm` (`sessionId, callback?`) -> what to do, or a coded error naming the bad argument.
 */
export function parseClientArguments(event: 'session:join' | 'session:leave' | 'session:warm', args: unknown[]): ParsedClientEvent {
  const last = args[args.length - 1];
  const acknowledge = typeof last === 'function' ? (last as Acknowledge) : undefined;
  const values = acknowledge ? args.slice(0, -1) : args;
  const schema = event === 'session:join' ? joinArgumentsSchema : event === 'session:warm' ? warmArgumentsSchema : leaveArgumentsSchema;
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['args', ...(issue?.path ?? []).map(String)].join('.');
    const expected = event === 'session:join' ? '(sessionId, {since}?, callback?)' : '(sessionId, callback?)';
    return {
      ok: false,
      acknowledge,
      error: new AgentRuntimeError('INVALID_INPUT', `${field}: ${issue?.message ?? 'invalid'} (expected ${event} ${expected})`, {
        details: { field },
      }),
    };
  }
  const [sessionId, options] = parsed.data as [string, { since?: number } | undefined];
  return { ok: true, sessionId, since: options?.since, acknowledge };
}
