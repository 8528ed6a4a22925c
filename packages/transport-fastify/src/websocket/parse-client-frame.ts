import { AgentRuntimeError, clientFrameSchema, invalidInputError, joinArgumentsSchema, leaveArgumentsSchema, type InputIssue } from '@agent-runtime/core';

export type ClientCommand =
  | { event: 'session:join'; sessionId: string; since: number | undefined; ack: number | undefined }
  | { event: 'session:leave'; sessionId: string; ack: number | undefined }
  | { event: 'session:permission:respond' | 'session:question:respond'; sessionId: string; requestId: unknown; answer: unknown; ack: number | undefined };

export type ParsedFrame = { ok: true; command: ClientCommand } | { ok: false; error: AgentRuntimeError; ack: number | undefined };

function invalid(message: string, field: string, ack?: number): ParsedFrame {
  return { ok: false, error: new AgentRuntimeError('INVALID_INPUT', message, { details: { field } }), ack };
}

/** Zod issues -> INVALID_INPUT through core's one mapping, fields named from `prefix` (`frame.event`, `args.0`). */
function invalidIssues(prefix: string, issues: readonly InputIssue[], ack?: number): ParsedFrame {
  return { ok: false, error: invalidInputError(issues.map((issue) => ({ path: [prefix, ...issue.path], message: issue.message }))), ack };
}

/**
 * One client text frame -> a command, or a coded error that names what is wrong. Never throws:
 * whatever a client sends, it gets an answer and the connection stays up.
 */
export function parseClientFrame(raw: Buffer | ArrayBuffer | Buffer[], isBinary: boolean, maxBytes: number): ParsedFrame {
  const buffer = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
  if (isBinary) return invalid('frame: binary frames are not supported; send JSON text.', 'frame');
  if (buffer.length > maxBytes) {
    return {
      ok: false,
      error: new AgentRuntimeError('PAYLOAD_TOO_LARGE', `frame: ${buffer.length} bytes is more than the ${maxBytes} allowed.`, {
        details: { field: 'frame', maxBytes },
      }),
      ack: undefined,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(buffer.toString('utf8'));
  } catch {
    return invalid('frame: invalid JSON.', 'frame');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('frame: expected a JSON object.', 'frame');
  const rawAck = (value as { ack?: unknown }).ack;
  const ack = typeof rawAck === 'number' && Number.isSafeInteger(rawAck) && rawAck >= 0 ? rawAck : undefined;
  const frame = clientFrameSchema.safeParse(value);
  if (!frame.success) {
    return invalidIssues('frame', frame.error.issues, ack);
  }
  const { event, args } = frame.data;
  if (event === 'session:join') {
    const parsed = joinArgumentsSchema.safeParse(args);
    if (!parsed.success) {
      return invalidIssues('args', parsed.error.issues.map((issue) => ({ ...issue, message: `${issue.message} (expected ["<sessionId>", {"since"?: n}])` })), ack);
    }
    return { ok: true, command: { event, sessionId: parsed.data[0], since: parsed.data[1]?.since, ack: frame.data.ack } };
  }
  if (event === 'session:leave') {
    const parsed = leaveArgumentsSchema.safeParse(args);
    if (!parsed.success) {
      return invalidIssues('args', parsed.error.issues.map((issue) => ({ ...issue, message: `${issue.message} (expected ["<sessionId>"])` })), ack);
    }
    return { ok: true, command: { event, sessionId: parsed.data[0], ack: frame.data.ack } };
  }
  if (event === 'session:permission:respond' || event === 'session:question:respond') {
    // The ids and the answer are checked as the REST routes check them (answerRequest).
    const [sessionId, requestId, answer] = args;
    if (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > 200) {
      return invalid('args.0: expected the session id (["<sessionId>", "<requestId>", {answer}])', 'args.0', ack);
    }
    return { ok: true, command: { event, sessionId, requestId, answer, ack: frame.data.ack } };
  }
  return invalid(
    `event: unknown event "${event.slice(0, 100)}"; expected session:join, session:leave, session:permission:respond or session:question:respond.`,
    'event',
    ack,
  );
}
