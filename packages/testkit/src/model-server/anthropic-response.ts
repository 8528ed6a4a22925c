import type { ResolvedReply } from './resolved-reply.js';
import type { ScriptedError } from './scenario.js';

/** One server-sent event. */
export interface SseEvent {
  event: string | undefined;
  data: unknown;
}

/** Splits `text` into `count` nearly equal pieces (at least one). */
export function splitIntoChunks(text: string, count: number): string[] {
  if (text.length <= 1 || count <= 1) return [text];
  const size = Math.ceil(text.length / count);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function stopReasonOf(reply: ResolvedReply): string {
  return reply.stopReason ?? (reply.toolCalls.length > 0 ? 'tool_use' : 'end_turn');
}

function usageOf(reply: ResolvedReply, outputTokens: number): Record<string, unknown> {
  return {
    input_tokens: reply.usage.inputTokens,
    cache_creation_input_tokens: reply.usage.cacheCreationInputTokens,
    cache_read_input_tokens: reply.usage.cacheReadInputTokens,
    output_tokens: outputTokens,
  };
}

/** The content blocks of the finished message (non-streaming answer). */
function contentOf(reply: ResolvedReply): Record<string, unknown>[] {
  const content: Record<string, unknown>[] = [];
  if (reply.thinking.length > 0) content.push({ type: 'thinking', thinking: reply.thinking.join(''), signature: reply.signature });
  if (reply.text.length > 0) content.push({ type: 'text', text: reply.text.join('') });
  for (const call of reply.toolCalls) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
  return content;
}

/** The JSON body of a non-streaming Messages API answer. */
export function anthropicMessage(reply: ResolvedReply): Record<string, unknown> {
  return {
    id: reply.messageId,
    type: 'message',
    role: 'assistant',
    model: reply.model,
    content: contentOf(reply),
    stop_reason: stopReasonOf(reply),
    stop_sequence: null,
    usage: { ...usageOf(reply, reply.usage.outputTokens), service_tier: 'standard' },
  };
}

/**
 * The SSE events of a streamed Messages API answer, in the real API's order: message_start,
 * per block content_block_start / deltas / content_block_stop (a ping after the first start),
 * message_delta with stop_reason and usage, message_stop. Tool input streams as several
 * input_json_delta chunks.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function anthropicEvents(reply: ResolvedReply): SseEvent[] {
  const events: SseEvent[] = [];
  const push = (type: string, data: Record<string, unknown>) => events.push({ event: type, data: { type, ...data } });
  const { content: _content, stop_reason: _stop, usage: _usage, ...message } = anthropicMessage(reply);
  push('message_start', { message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usageOf(reply, 1), service_tier: 'standard' } } });
  let index = 0;
  const startBlock = (block: Record<string, unknown>) => {
    push('content_block_start', { index, content_block: block });
    if (index === 0) push('ping', {});
  };
  const delta = (value: Record<string, unknown>) => push('content_block_delta', { index, delta: value });
  const stopBlock = () => {
    push('content_block_stop', { index });
    index += 1;
  };
  if (reply.thinking.length > 0) {
    startBlock({ type: 'thinking', thinking: '', signature: '' });
    for (const piece of reply.thinking) delta({ type: 'thinking_delta', thinking: piece });
    delta({ type: 'signature_delta', signature: reply.signature });
    stopBlock();
  }
  if (reply.text.length > 0) {
    startBlock({ type: 'text', text: '' });
    for (const piece of reply.text) delta({ type: 'text_delta', text: piece });
    stopBlock();
  }
  for (const call of reply.toolCalls) {
    startBlock({ type: 'tool_use', id: call.id, name: call.name, input: {} });
    for (const piece of splitIntoChunks(JSON.stringify(call.input), 3)) delta({ type: 'input_json_delta', partial_json: piece });
    stopBlock();
  }
  if (index === 0) push('ping', {});
  push('message_delta', { delta: { stop_reason: stopReasonOf(reply), stop_sequence: null }, usage: usageOf(reply, reply.usage.outputTokens) });
  push('message_stop', {});
  return events;
}

const anthropicErrorTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** The Anthropic error body for a scripted error. */
export function anthropicErrorBody(error: ScriptedError, requestId: string): Record<string, unknown> {
  const type = error.type ?? anthropicErrorTypes[error.status] ?? 'api_error';
  return { type: 'error', error: { type, message: error.message ?? `Scripted ${type} (${error.status})` }, request_id: requestId };
}
