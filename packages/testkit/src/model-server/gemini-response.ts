import type { ResolvedReply } from './resolved-reply.js';
import type { ScriptedError } from './scenario.js';

function usageMetadata(reply: ResolvedReply): Record<string, unknown> {
  const { inputTokens, outputTokens, thoughtsTokens, cacheReadInputTokens } = reply.usage;
  return {
    promptTokenCount: inputTokens,
    candidatesTokenCount: outputTokens,
    totalTokenCount: inputTokens + outputTokens + thoughtsTokens,
    ...(thoughtsTokens > 0 ? { thoughtsTokenCount: thoughtsTokens } : {}),
    ...(cacheReadInputTokens > 0 ? { cachedContentTokenCount: cacheReadInputTokens } : {}),
  };
}

function chunk(reply: ResolvedReply, parts: Record<string, unknown>[], last: boolean): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(last ? { finishReason: reply.stopReason ?? 'STOP' } : {}) }],
    usageMetadata: usageMetadata(reply),
    modelVersion: reply.model,
    responseId: reply.messageId,
  };
}

function functionCallParts(reply: ResolvedReply): Record<string, unknown>[] {
  return reply.toolCalls.map((call) => ({
    functionCall: { ...(call.id === undefined ? {} : { id: call.id }), name: call.name, args: call.input },
  }));
}

/**
 * The chunks of a `streamGenerateContent?alt=sse` answer: one per thought piece (`thought: true`),
 * one per text piece, then one with all function calls; the last carries `finishReason`.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function geminiChunks(reply: ResolvedReply): Record<string, unknown>[] {
  const partsList: Record<string, unknown>[][] = [
    ...reply.thinking.map((text) => [{ text, thought: true }]),
    ...reply.text.map((text) => [{ text }]),
  ];
  if (reply.toolCalls.length > 0) partsList.push(functionCallParts(reply));
  if (partsList.length === 0) partsList.push([]);
  return partsList.map((parts, index) => chunk(reply, parts, index === partsList.length - 1));
}

/** The body of a non-streaming `generateContent` answer (all parts in one candidate). */
export function geminiResponse(reply: ResolvedReply): Record<string, unknown> {
  const parts = [
    ...(reply.thinking.length > 0 ? [{ text: reply.thinking.join(''), thought: true }] : []),
    ...(reply.text.length > 0 ? [{ text: reply.text.join('') }] : []),
    ...functionCallParts(reply),
  ];
  return chunk(reply, parts, true);
}

const geminiStatuses: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  529: 'UNAVAILABLE',
};

/** The Google API error body for a scripted error. */
export function geminiErrorBody(error: ScriptedError): Record<string, unknown> {
  const status = error.type ?? geminiStatuses[error.status] ?? 'INTERNAL';
  return { error: { code: error.status, message: error.message ?? `Scripted error ${status} (${error.status})`, status } };
}
