import type { GeminiStreamEvent } from '@agent-runtime/transcript-gemini';
import type { SessionUpdate } from '@agentclientprotocol/sdk';

/**
 * The tool name in a Gemini CLI call id: the CLI names every call `<tool>__<id>` (0.61.0,
 * `finalFunctionCallsMap` in its core), and ACP's `tool_call` carries no tool name.
 */
export function toolNameOfCallId(toolCallId: string): string {
  const separator = toolCallId.indexOf('__');
  return separator > 0 ? toolCallId.slice(0, separator) : toolCallId;
}

/**
 * Maps one ACP `session/update` of `gemini --acp` to the stream-json events the stream reducer
 * knows (transcript-gemini), so a warm turn streams the same blocks as a stream-json turn and
 * they equal what the session file parses to. `started` holds the tool calls already announced:
 * an approved edit only sends `tool_call_update` (its pending state was the permission request),
 * so a `tool_use` is made up first. Thoughts map to no event: a thinking block comes from the
 * session file at a reconcile point, where the parser puts it (after the response's text and tool
 * uses; WarmGeminiTurn reconciles early for them); commands and mode updates carry no blocks.
 */
export function acpUpdateEvents(update: SessionUpdate, started: Set<string>, now = new Date().toISOString()): GeminiStreamEvent[] {
  switch (update.sessionUpdate) {
    case 'agent_message_chunk':
      return update.content.type === 'text' && update.content.text !== ''
        ? [{ type: 'message', role: 'assistant', content: update.content.text, delta: true, timestamp: now }]
        : [];
    case 'tool_call': {
      if (started.has(update.toolCallId)) return [];
      started.add(update.toolCallId);
      return [toolUse(update.toolCallId, update.rawInput, now)];
    }
    case 'tool_call_update': {
      if (update.status !== 'completed' && update.status !== 'failed') return [];
      const events: GeminiStreamEvent[] = [];
      if (!started.has(update.toolCallId)) {
        started.add(update.toolCallId);
        events.push(toolUse(update.toolCallId, update.rawInput, now));
      }
      const text = (update.content ?? [])
        .flatMap((item) => (item.type === 'content' && item.content.type === 'text' ? [item.content.text] : []))
        .join('\n');
      events.push(
        update.status === 'completed'
          ? { type: 'tool_result', tool_id: update.toolCallId, status: 'success', output: text, timestamp: now }
          : { type: 'tool_result', tool_id: update.toolCallId, status: 'error', error: { message: text }, timestamp: now },
      );
      return events;
    }
    default:
      return [];
  }
}

function toolUse(toolCallId: string, rawInput: unknown, now: string): GeminiStreamEvent {
  const parameters = typeof rawInput === 'object' && rawInput !== null ? (rawInput as Record<string, unknown>) : {};
  return { type: 'tool_use', tool_name: toolNameOfCallId(toolCallId), tool_id: toolCallId, parameters, timestamp: now };
}
