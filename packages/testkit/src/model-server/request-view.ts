import type { ModelApi } from './scenario.js';

/** One tool result found in the last user message. */
export interface ToolResultView {
  /** tool_use_id / functionResponse.id, when present. */
  id: string | undefined;
  /** Tool name (for Anthropic looked up from the assistant tool_use with the same id). */
  name: string | undefined;
  output: string;
  isError: boolean;
}

/**
 * The API-neutral facts a scenario is matched against, extracted from one generation request.
 * Recorded with every request so a failing test can show what the server saw.
 */
export interface RequestView {
  api: ModelApi;
  model: string;
  stream: boolean;
  /** No assistant/model message in the conversation yet. */
  fresh: boolean;
  /** Text of the last meaningful user message, without system reminders / session context. */
  lastUserText: string;
  /** Tool results in that message (empty when it holds none). */
  toolResults: ToolResultView[];
  /** Claude: inner text of a `<task-notification>` (background subagent finished) in the trailing user messages. */
  taskNotification: string | undefined;
  /** The system prompt as text. */
  system: string;
  /** Names of the tools offered to the model. */
  toolNames: string[];
  /** Number of messages (Anthropic) or contents (Gemini). */
  messageCount: number;
}

/** Reads `value` as a JSON object, or `{}`. */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Reads `value` as an array, or `[]`. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
