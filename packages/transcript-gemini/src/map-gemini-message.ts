import type { ConversationBlock } from '@agent-runtime/core';
import { geminiBlockIds } from './block-ids.js';
import type { GeminiMessageRecord, GeminiPart } from './gemini-session-schema.js';
import { hasFunctionResponseId, isContextText, isToolResponseRecord, partsText } from './gemini-parts.js';
import { mapGeminiMessage, needsFunctionResponses } from './map-gemini-response.js';

// One session record -> blocks: user prompts and system messages here, model responses in
// map-gemini-response.ts, their placement (ids) in place-gemini-response.ts.

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
 * empty until `placeResponse` (place-gemini-response.ts) sets them: model-response ids depend on the prompt and
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
