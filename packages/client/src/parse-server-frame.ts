import { ackFrameSchema, eventFrameSchema, isServerEventName, serverEventPayloadSchemas, type AckFrame } from '@agent-runtime/core';
import type { ClientErrorReport, ServerEventFrame } from './socket-types.js';

/** What one text frame from the server turned out to be. */
export type ParsedServerFrame =
  | { kind: 'ack'; ack: number; result: AckFrame['result'] }
  /** `known` is false for an event name this client does not know (a newer server): passed on unchecked. */
  | { kind: 'event'; frame: ServerEventFrame; known: boolean }
  | { kind: 'invalid'; report: ClientErrorReport };

const FRAME_EXCERPT_CHARACTERS = 200;

function frameText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (raw instanceof ArrayBuffer || ArrayBuffer.isView(raw)) return new TextDecoder().decode(raw as ArrayBuffer);
  return String(raw);
}

function invalid(message: string, text: string, extra: Partial<ClientErrorReport> = {}): ParsedServerFrame {
  return { kind: 'invalid', report: { code: 'INVALID_FRAME', message, frame: text.slice(0, FRAME_EXCERPT_CHARACTERS), ...extra } };
}

function issuesOf(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): { path: string; message: string }[] {
  return error.issues.slice(0, 10).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/**
 * Parses a server frame with core's frame schemas (`ackFrameSchema`, `eventFrameSchema`) and the
 * event's payload schema (`serverEventPayloadSchemas`). Never throws: a frame that is not JSON or
 * does not match comes back as `invalid` with a report, so one bad frame cannot corrupt state.
 * A valid event keeps its `data` as sent (fields beyond the schema survive).
 */
export function parseServerFrame(raw: unknown): ParsedServerFrame {
  const text = frameText(raw);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid('A server frame is not JSON.', text);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('A server frame is not a JSON object.', text);
  const object = value as Record<string, unknown>;
  if (object.event === undefined && 'ack' in object) {
    const ack = ackFrameSchema.safeParse(object);
    if (!ack.success) return invalid('An ack frame does not match the protocol.', text, { issues: issuesOf(ack.error) });
    return { kind: 'ack', ack: ack.data.ack, result: object.result as AckFrame['result'] };
  }
  const envelope = eventFrameSchema.safeParse(object);
  if (!envelope.success) {
    return invalid('An event frame does not match the protocol.', text, {
      issues: issuesOf(envelope.error),
      ...(typeof object.event === 'string' ? { event: object.event } : {}),
    });
  }
  const { event, seq } = envelope.data;
  const data = object.data;
  const frame = { event, data, ...(seq === undefined ? {} : { seq }) } as ServerEventFrame;
  if (!isServerEventName(event)) return { kind: 'event', frame, known: false };
  const payload = serverEventPayloadSchemas[event].safeParse(data);
  if (!payload.success) {
    const sessionId = (data as { sessionId?: unknown } | null)?.sessionId;
    return invalid(`A "${event}" frame has a malformed payload.`, text, {
      event,
      issues: issuesOf(payload.error),
      ...(typeof sessionId === 'string' ? { sessionId } : {}),
    });
  }
  return { kind: 'event', frame, known: true };
}

/** The session a frame belongs to (`data.sessionId`), if any. */
export function sessionIdOf(frame: ServerEventFrame): string | undefined {
  const sessionId = (frame.data as { sessionId?: unknown } | null | undefined)?.sessionId;
  return typeof sessionId === 'string' ? sessionId : undefined;
}
