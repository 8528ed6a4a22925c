import {
  CLAUDE_NON_MESSAGE_ENTRY_TYPES,
  type ClaudeAssistantEntry,
  type ClaudeUserContent,
  type ClaudeUserEntry,
} from './claude-transcript-schema.js';
import type { ConversationBuilder } from './conversation-builder.js';
import { mapUserContent } from './map-claude-content.js';
import { parseTaskNotification, taskNotificationText } from './task-notification.js';

/** Why an entry produced no block, or `undefined` when it did (or was a tool-result carrier). */
export type EntrySkipReason = string | undefined;

/** Parse one JSONL line; returns the entry or the reason it is unusable. */
export function parseClaudeLine(line: string): { entry: Record<string, unknown> } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { reason: line.trimEnd().endsWith('}') ? 'invalid JSON' : 'invalid JSON (truncated line?)' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { reason: 'not a JSON object' };
  return { entry: value as Record<string, unknown> };
}

/** Feeds one transcript entry to the builder. Never throws on odd data; returns a skip reason instead. */
export function applyClaudeEntry(builder: ConversationBuilder, entry: Record<string, unknown>): EntrySkipReason {
  const type = entry.type;
  if (type === 'assistant') return applyAssistant(builder, entry as unknown as ClaudeAssistantEntry);
  if (type === 'user') return applyUser(builder, entry as unknown as ClaudeUserEntry);
  if (typeof type !== 'string') return 'entry without a type';
  return CLAUDE_NON_MESSAGE_ENTRY_TYPES.has(type) ? `non-message entry: ${type}` : `unknown entry type: ${type.slice(0, 60)}`;
}

function applyAssistant(builder: ConversationBuilder, entry: ClaudeAssistantEntry): EntrySkipReason {
  const message = entry.message;
  if (!message || typeof message !== 'object') return 'assistant entry without a message';
  const messageId = typeof message.id === 'string' ? message.id : entry.uuid;
  if (!messageId) return 'assistant entry without an id';
  const timestamp = entry.timestamp ?? '';
  const model = typeof message.model === 'string' ? message.model : undefined;
  const content = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  if (!Array.isArray(content)) return 'assistant entry without content';
  const single = content.length === 1 && typeof entry.apiBlockIndex === 'number';
  let produced = false;
  for (const item of content) {
    if (!item || typeof item !== 'object') continue;
    if (builder.addAssistantItem(messageId, single ? entry.apiBlockIndex : undefined, item, timestamp, model)) produced = true;
  }
  return produced ? undefined : 'assistant entry with no displayable content';
}

function applyUser(builder: ConversationBuilder, entry: ClaudeUserEntry): EntrySkipReason {
  if (entry.isMeta) return 'meta user entry';
  if (entry.isCompactSummary) return 'compact summary';
  const content = entry.message?.content;
  if (content === undefined || content === null) return 'user entry without content';
  if (isInterruptionMarker(content)) return 'interruption marker';
  const timestamp = entry.timestamp ?? '';
  return applyUserContent(builder, entry.uuid ?? entry.promptId, timestamp, content, entry.toolUseResult);
}

/** Shared by the parser and the stream reducer: a user message's content (prompt or tool results). */
export function applyUserContent(
  builder: ConversationBuilder,
  id: string | undefined,
  timestamp: string,
  content: string | readonly ClaudeUserContent[],
  toolUseResult: unknown,
): EntrySkipReason {
  if (Array.isArray(content) && content.some((item) => item?.type === 'tool_result')) {
    for (const item of content) {
      if (item?.type !== 'tool_result') continue;
      const result = item as { tool_use_id?: unknown; content?: unknown; is_error?: unknown };
      if (typeof result.tool_use_id !== 'string') continue;
      builder.addToolResult(result.tool_use_id, timestamp, result.content, result.is_error === true, toolUseResult);
    }
    return undefined;
  }
  // A background task finished: it completes its subagent block and is no dialogue of its own.
  const notification = taskNotificationText(content);
  if (notification !== undefined) {
    builder.completeSubagent(parseTaskNotification(notification));
    return undefined;
  }
  if (!id) return 'user entry without an id';
  const mapped = mapUserContent(content as string | ClaudeUserContent[]);
  if (mapped === undefined) return 'user entry with no displayable content';
  builder.addUserMessage(id, timestamp, mapped);
  return undefined;
}

/** The CLI records an interrupt as a user entry `[Request interrupted by user...]`; the stream never shows it. */
function isInterruptionMarker(content: string | readonly ClaudeUserContent[]): boolean {
  const text = typeof content === 'string' ? content : content.length === 1 && content[0]?.type === 'text' ? String(content[0].text) : '';
  return text.startsWith('[Request interrupted by user');
}
