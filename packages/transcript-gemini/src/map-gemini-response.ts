import type { AssistantTextBlock, ConversationBlock, ThinkingBlock, TokenUsage, ToolResultBlock, ToolUseBlock } from '@agent-runtime/core';
import type { GeminiMessageRecord, GeminiPart, GeminiThought, GeminiTokens } from './gemini-session-schema.js';
import { isObject, partsText, toParts } from './gemini-parts.js';
import { callsFromParts, mapToolStatus, toolOutput } from './map-gemini-tool-calls.js';

const NO_PARTS: GeminiPart[] = [];

/**
 * The blocks of one model response, in the order the stream can produce them:
 * text, tool uses, thinking, tool results. (Stream-json never carries thoughts; they become
 * known from the session file once the response has finished, before its tools' results.)
 * Ids are left empty for `placeResponse` (place-gemini-response.ts).
 */
export function mapGeminiMessage(
  record: GeminiMessageRecord,
  timestamp: string,
  responsesByCallId: () => Map<string, GeminiPart[]>,
): ConversationBlock[] {
  const parts = typeof record.content === 'string' ? NO_PARTS : toParts(record.content);
  const text = partsText(record.content).trim();
  const thoughts = record.thoughts && record.thoughts.length > 0 ? record.thoughts : thoughtsFromParts(parts);
  const calls = record.toolCalls && record.toolCalls.length > 0 ? record.toolCalls : callsFromParts(parts, responsesByCallId);
  const placed: ConversationBlock[] = [];

  if (text !== '') {
    const block: AssistantTextBlock = { id: '', type: 'assistant_text', timestamp, content: text };
    if (record.model) block.model = record.model;
    const usage = mapTokens(record.tokens);
    if (usage) block.usage = usage;
    placed.push(block);
  }
  for (const call of calls) {
    const block: ToolUseBlock = {
      id: '',
      type: 'tool_use',
      timestamp,
      toolName: call.name,
      toolUseId: call.id,
      input: isObject(call.args) ? call.args : {},
      status: mapToolStatus(call),
    };
    if (call.displayName) block.displayName = call.displayName;
    if (call.description) block.description = call.description;
    placed.push(block);
  }
  for (let index = 0; index < thoughts.length; index += 1) {
    const thought = thoughts[index]!;
    const block: ThinkingBlock = {
      id: '',
      type: 'thinking',
      timestamp: thought.timestamp ?? timestamp,
      content: thought.description ?? '',
    };
    if (thought.subject) block.summary = thought.subject;
    placed.push(block);
  }
  const startedAt = calls.length > 0 ? Date.parse(timestamp) : 0;
  for (const call of calls) {
    const status = mapToolStatus(call);
    if (call.result == null && status !== 'success' && status !== 'error') continue;
    const block: ToolResultBlock = {
      id: '',
      type: 'tool_result',
      timestamp: call.timestamp ?? timestamp,
      toolUseId: call.id,
      output: toolOutput(call.result),
      isError: status === 'error',
    };
    if (call.timestamp) {
      const durationMs = Date.parse(call.timestamp) - startedAt;
      if (durationMs >= 0) block.durationMs = durationMs;
    }
    placed.push(block);
  }
  return placed;
}

/** Parses a thought part the way the CLI does: `**subject** description`. */
function thoughtsFromParts(parts: GeminiPart[]): GeminiThought[] {
  const thoughts: GeminiThought[] = [];
  for (const part of parts) {
    if (part.thought !== true || typeof part.text !== 'string') continue;
    const match = /\*\*(.*?)\*\*/s.exec(part.text);
    thoughts.push({
      subject: match?.[1]?.trim() ?? '',
      description: part.text.replace(/\*\*(.*?)\*\*/s, '').trim(),
    });
  }
  return thoughts;
}

/** True for a model record whose tool calls exist only as `functionCall` parts (their results are in other records). */
export function needsFunctionResponses(record: GeminiMessageRecord): boolean {
  if (record.toolCalls && record.toolCalls.length > 0) return false;
  const content = record.content;
  if (typeof content === 'string' || content === undefined || content === null) return false;
  for (const part of toParts(content)) {
    if (part.functionCall && typeof part.functionCall.name === 'string') return true;
  }
  return false;
}

export function mapTokens(tokens: GeminiTokens | null | undefined): TokenUsage | undefined {
  if (!tokens || typeof tokens.input !== 'number' || typeof tokens.output !== 'number') return undefined;
  const usage: TokenUsage = { inputTokens: tokens.input, outputTokens: tokens.output };
  if (tokens.cached) usage.cacheReadTokens = tokens.cached;
  if (tokens.thoughts) usage.thinkingTokens = tokens.thoughts;
  return usage;
}

