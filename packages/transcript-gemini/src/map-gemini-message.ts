import type {
  AssistantTextBlock,
  ConversationBlock,
  ThinkingBlock,
  TokenUsage,
  ToolResultBlock,
  ToolStatus,
  ToolUseBlock,
} from '@agent-runtime/core';
import { geminiBlockIds } from './block-ids.js';
import type {
  GeminiMessageRecord,
  GeminiPart,
  GeminiThought,
  GeminiTokens,
  GeminiToolCallRecord,
} from './gemini-session-schema.js';

/** Where a block sits: the prompt it answers and the model response (-1 for the prompt itself). */
export interface PlacedBlock {
  block: ConversationBlock;
  promptId: string;
  response: number;
}

/** Normalizes `content` (string, one Part, or Part[]) into parts. */
export function toParts(content: GeminiMessageRecord['content']): GeminiPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return [{ text: content }];
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === 'string' ? { text: part } : part)).filter(isObject);
  }
  return isObject(content) ? [content] : [];
}

/** The plain text of non-thought text parts (of a string, one part, or parts). */
export function partsText(content: GeminiMessageRecord['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return content && typeof content === 'object' ? partsText([content]) : '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'string') text += part;
    else if (part && typeof part.text === 'string' && part.thought !== true) text += part.text;
  }
  return text;
}

const NO_PARTS: GeminiPart[] = [];

/** True for a user record that only carries function responses (tool results, not a prompt). */
export function isToolResponseRecord(content: GeminiMessageRecord['content']): boolean {
  if (!Array.isArray(content)) return false;
  let hasResponse = false;
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue;
    if (part.functionResponse) hasResponse = true;
    else if (typeof part.text === 'string' && part.text.trim() !== '') return false;
  }
  return hasResponse;
}

/** The CLI's own context messages, which are not things the user said. */
export function isContextText(text: string): boolean {
  const trimmed = text.trimStart();
  return trimmed.startsWith('<session_context>') || trimmed.startsWith('<hook_context>');
}

export function mapUserMessage(record: GeminiMessageRecord, timestamp: string): ConversationBlock | undefined {
  const display = record.displayContent ?? record.content;
  const text = partsText(display);
  if (isContextText(text)) return undefined;
  return { id: geminiBlockIds.user(record.id), type: 'user_message', timestamp, content: text };
}

export function mapSystemMessage(record: GeminiMessageRecord, timestamp: string): ConversationBlock | undefined {
  const text = partsText(record.content);
  if (text === '') return undefined;
  return {
    id: geminiBlockIds.system(record.id),
    type: 'system',
    timestamp,
    subtype: record.type === 'error' ? 'error' : 'status',
    message: text,
    metadata: { geminiType: record.type },
  };
}

/**
 * A message mapped to blocks before its place in the history is known. The blocks' ids are
 * empty until {@link placeMappedMessage} sets them: model-response ids depend on the prompt and
 * the response's index, which only the final history gives.
 */
export type MappedMessage =
  | {
      type: 'user';
      timestamp: string;
      /** Carries only function responses (tool results, not a prompt). */
      toolResponse: boolean;
      /** Has a `functionResponse` part with an id (read by the `functionCall`-parts fallback). */
      functionResponses: boolean;
      block: ConversationBlock | undefined;
    }
  | { type: 'gemini'; timestamp: string; blocks: ConversationBlock[] }
  | { type: 'system'; timestamp: string; block: ConversationBlock | undefined };

/** Maps one message record; `timestamp` is its own or, when it has none, the previous message's. */
export function mapMessage(
  record: GeminiMessageRecord,
  timestamp: string,
  responsesByCallId: () => Map<string, GeminiPart[]>,
): MappedMessage {
  if (record.type === 'user') {
    const toolResponse = isToolResponseRecord(record.content);
    return {
      type: 'user',
      timestamp,
      toolResponse,
      functionResponses: hasFunctionResponseId(record.content),
      block: toolResponse ? undefined : mapUserMessage(record, timestamp),
    };
  }
  if (record.type === 'gemini') return { type: 'gemini', timestamp, blocks: mapGeminiMessage(record, timestamp, responsesByCallId) };
  return { type: 'system', timestamp, block: mapSystemMessage(record, timestamp) };
}

/**
 * Maps a record without context, or returns undefined when it needs some: a record without a
 * timestamp (it takes the previous message's) or a model record whose tool calls only exist as
 * `functionCall` parts (their results are in other records).
 */
export function mapMessageEarly(record: GeminiMessageRecord): MappedMessage | undefined {
  if (typeof record.timestamp !== 'string') return undefined;
  if (record.type === 'gemini' && needsFunctionResponses(record)) return undefined;
  return mapMessage(record, record.timestamp, noResponses);
}

function noResponses(): Map<string, GeminiPart[]> {
  throw new Error('unreachable: early mapping never reads function responses');
}

/** Sets the ids of a model response's blocks and appends them to `out` (and `placed`, if given). */
export function placeResponse(
  blocks: ConversationBlock[],
  promptId: string,
  response: number,
  out: ConversationBlock[],
  placed: PlacedBlock[] | undefined,
): void {
  let thought = 0;
  for (const block of blocks) {
    if (block.type === 'assistant_text') block.id = geminiBlockIds.text(promptId, response);
    else if (block.type === 'tool_use') block.id = geminiBlockIds.toolUse(promptId, response, block.toolUseId);
    else if (block.type === 'thinking') block.id = geminiBlockIds.thought(promptId, response, thought++);
    else if (block.type === 'tool_result') block.id = geminiBlockIds.toolResult(promptId, response, block.toolUseId);
    out.push(block);
    placed?.push({ block, promptId, response });
  }
}

function needsFunctionResponses(record: GeminiMessageRecord): boolean {
  if (record.toolCalls && record.toolCalls.length > 0) return false;
  const content = record.content;
  if (typeof content === 'string' || content === undefined || content === null) return false;
  for (const part of toParts(content)) {
    if (part.functionCall && typeof part.functionCall.name === 'string') return true;
  }
  return false;
}

function hasFunctionResponseId(content: GeminiMessageRecord['content']): boolean {
  if (Array.isArray(content)) {
    for (const part of content) if (isObject(part) && typeof part.functionResponse?.id === 'string') return true;
    return false;
  }
  return isObject(content) && typeof content.functionResponse?.id === 'string';
}

/**
 * The blocks of one model response, in the order the stream can produce them:
 * text, tool uses, thinking, tool results. (Stream-json never carries thoughts; they become
 * known from the session file once the response has finished, before its tools' results.)
 * Ids are left empty for {@link placeResponse}.
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

function callsFromParts(parts: GeminiPart[], responsesByCallId: () => Map<string, GeminiPart[]>): GeminiToolCallRecord[] {
  const calls: GeminiToolCallRecord[] = [];
  parts.forEach((part, index) => {
    const call = part.functionCall;
    if (!call || typeof call.name !== 'string') return;
    const id = call.id ?? `${call.name}_${index}`;
    const result = responsesByCallId().get(id);
    const response = result?.find((p) => p.functionResponse)?.functionResponse?.response;
    calls.push({
      id,
      name: call.name,
      args: call.args ?? {},
      result: result ?? null,
      ...(result ? { status: response && 'error' in response ? 'error' : 'success' } : {}),
    });
  });
  return calls;
}

function mapToolStatus(call: GeminiToolCallRecord): ToolStatus {
  switch (call.status) {
    case 'success':
      return 'success';
    case 'error':
    case 'cancelled':
      return 'error';
    case 'awaiting_approval':
    case 'validating':
      return 'pending';
    case undefined:
      return 'pending';
    default:
      return 'running';
  }
}

/** The model-facing output of a tool: `response.output` / `response.error` text when it is that simple. */
function toolOutput(result: GeminiToolCallRecord['result']): unknown {
  if (result == null) return null;
  if (typeof result === 'string') return result;
  if (Array.isArray(result) && result.length === 1) {
    const response = result[0]?.functionResponse?.response;
    if (response) {
      if (typeof response['output'] === 'string') return response['output'];
      if (typeof response['error'] === 'string') return response['error'];
      return response;
    }
  }
  return result;
}

export function mapTokens(tokens: GeminiTokens | null | undefined): TokenUsage | undefined {
  if (!tokens || typeof tokens.input !== 'number' || typeof tokens.output !== 'number') return undefined;
  const usage: TokenUsage = { inputTokens: tokens.input, outputTokens: tokens.output };
  if (tokens.cached) usage.cacheReadTokens = tokens.cached;
  if (tokens.thoughts) usage.thinkingTokens = tokens.thoughts;
  return usage;
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
